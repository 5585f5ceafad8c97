package dev.reminderpush.security;

/** What an account may do in the production profile. */
public enum Role {
    /** Schedule, replace, cancel and read reminders ({@code /api/reminders/**}). */
    PRODUCER,
    /** Read reminders only ({@code GET /api/reminders/**}); needed unless {@code reminders.security.reads=open}. */
    READER,
    /** Dead letters (list, redrive, delete), actuator endpoints other than health, Hawtio and Jolokia. */
    OPERATOR
}
