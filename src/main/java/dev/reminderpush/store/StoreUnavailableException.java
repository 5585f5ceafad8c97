package dev.reminderpush.store;

/** Redis could not be reached or did not answer in time; the operation did not happen. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
