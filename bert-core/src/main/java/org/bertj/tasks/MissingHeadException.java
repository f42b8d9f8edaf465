package org.bertj.tasks;

/**
 * The weights lack the part a task needs: next-sentence prediction without
 * {@code cls.seq_relationship.*}, fill-mask without {@code cls.predictions.*}, the pooler
 * embedding without {@code bert.pooler.*}. Thrown when the task is asked for, before any text is
 * run; nothing is initialised at random to stand in for the missing part.
 */
public class MissingHeadException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** The missing part's Hugging Face name prefix (part of the serialized form). */
    private final String head;

    /**
     * @param head    the missing part, by its Hugging Face name prefix ({@code cls.seq_relationship})
     * @param message what is missing and what to use instead
     */
    public MissingHeadException(String head, String message) {
        super(message);
        this.head = head;
    }

    /**
     * The missing part.
     *
     * @return its Hugging Face name prefix: {@code cls.seq_relationship}, {@code cls.predictions} or {@code bert.pooler}
     */
    public String head() {
        return head;
    }
}
