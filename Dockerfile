# reminder-push: build the jar, then run it on a JRE. The image works from /app, where the operator's
# application.yaml and routes/ sit (mount your own over them to change wiring without rebuilding).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY routes routes
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 reminder
WORKDIR /app
COPY --from=build /src/target/reminder-push.jar /app/reminder-push.jar
COPY application.yaml /app/application.yaml
COPY routes /app/routes
USER reminder
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/reminder-push.jar"]
