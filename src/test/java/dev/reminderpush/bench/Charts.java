package dev.reminderpush.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots (XChart, PNG). */
final class Charts {

    private Charts() {}

    /** Reminders delivered so far against seconds since the due instant, one line per run. */
    static void deliveredOverTime(Path png, String title, List<RunResult> runs) throws IOException {
        XYChart chart = chart(title, "seconds after the due instant", "reminders delivered");
        for (RunResult run : runs) {
            long[] produced = run.deliveries.stream().mapToLong(Delivery::producedMillis).sorted().toArray();
            if (produced.length == 0) {
                continue;
            }
            long span = produced[produced.length - 1] - run.firstDue;
            int points = (int) Math.max(2, Math.min(400, span / 50 + 2));
            double[] x = new double[points];
            double[] y = new double[points];
            int index = 0;
            for (int p = 0; p < points; p++) {
                long t = run.firstDue + span * p / (points - 1);
                while (index < produced.length && produced[index] <= t) {
                    index++;
                }
                x[p] = (t - run.firstDue) / 1000.0;
                y[p] = index;
            }
            chart.addSeries(run.name, x, y).setMarker(SeriesMarkers.NONE);
        }
        save(chart, png);
    }

    /** Share of reminders delivered within a given lateness (a CDF), one line per run. */
    static void latenessDistribution(Path png, String title, List<RunResult> runs) throws IOException {
        XYChart chart = chart(title, "lateness (seconds after due)", "% of reminders delivered within");
        for (RunResult run : runs) {
            if (run.lateness.length == 0) {
                continue;
            }
            int points = Math.min(300, run.lateness.length);
            double[] x = new double[points];
            double[] y = new double[points];
            for (int p = 0; p < points; p++) {
                int i = (int) ((long) (run.lateness.length - 1) * p / Math.max(1, points - 1));
                x[p] = run.lateness[i] / 1000.0;
                y[p] = 100.0 * (i + 1) / run.lateness.length;
            }
            chart.addSeries(run.name, x, y).setMarker(SeriesMarkers.NONE);
        }
        save(chart, png);
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(450).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }

    private static void save(XYChart chart, Path png) throws IOException {
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.substring(0, file.length() - 4), BitmapEncoder.BitmapFormat.PNG);
    }
}
