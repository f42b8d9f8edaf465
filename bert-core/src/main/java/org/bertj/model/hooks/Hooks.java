package org.bertj.model.hooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * An immutable set of forward hooks, each attached to one hook point or to every point whose name
 * a predicate accepts. Several hooks at one point run in the order they were added, each seeing
 * what the previous returned. Build with {@link #at} and {@link #and}:
 *
 * <pre>{@code
 * Hooks h = Hooks.at("bert.encoder.layer.1.attention.self.context", Interventions.zeroHead(2))
 *         .and(Hooks.matching(n -> n.endsWith(".output"), myHook));
 * }</pre>
 *
 * Names are checked against the model's hook points when the forward starts: a name that is no
 * hook point is an {@link IllegalArgumentException} naming it.
 */
public final class Hooks {

    /**
     * One attachment: an exact name (then {@code filter} is null) or a name predicate.
     *
     * @param name   the hook point's exact name, or null when {@code filter} chooses
     * @param filter the name predicate, or null when {@code name} is given
     * @param hook   what runs at the chosen points
     */
    public record Entry(String name, Predicate<String> filter, Hook hook) {

        /**
         * Whether this entry applies at {@code point}.
         *
         * @param point a hook-point name of the model
         * @return true if {@code hook} runs there
         */
        public boolean appliesTo(String point) {
            return name != null ? name.equals(point) : filter.test(point);
        }
    }

    private static final Hooks NONE = new Hooks(List.of());

    private final List<Entry> entries;

    private Hooks(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** {@return the empty set of hooks; a forward with it runs as a plain one} */
    public static Hooks none() {
        return NONE;
    }

    /**
     * {@code hook} at the hook point {@code name}.
     *
     * @param name the exact hook-point name, checked when the forward starts
     * @param hook what runs there; not null
     * @return a set of this one hook
     * @throws IllegalArgumentException if either is null
     */
    public static Hooks at(String name, Hook hook) {
        if (name == null || hook == null) {
            throw new IllegalArgumentException("a hook needs a point name and a hook");
        }
        return new Hooks(List.of(new Entry(name, null, hook)));
    }

    /**
     * {@code hook} at every hook point whose name {@code filter} accepts.
     *
     * @param filter chooses the points by name; may accept none
     * @param hook   what runs at each; not null
     * @return a set of this one attachment
     * @throws IllegalArgumentException if either is null
     */
    public static Hooks matching(Predicate<String> filter, Hook hook) {
        if (filter == null || hook == null) {
            throw new IllegalArgumentException("a hook needs a name filter and a hook");
        }
        return new Hooks(List.of(new Entry(null, filter, hook)));
    }

    /**
     * These hooks, then {@code more}'s.
     *
     * @param more hooks that run after these at a point they share
     * @return a new set; this one is unchanged
     */
    public Hooks and(Hooks more) {
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(more.entries);
        return new Hooks(all);
    }

    /**
     * These hooks and {@code hook} at {@code name}.
     *
     * @param name the exact hook-point name
     * @param hook what runs there, after these hooks; not null
     * @return a new set; this one is unchanged
     * @throws IllegalArgumentException if either is null
     */
    public Hooks and(String name, Hook hook) {
        return and(at(name, hook));
    }

    /** {@return the attachments in the order they run, unmodifiable} */
    public List<Entry> entries() {
        return entries;
    }

    /** {@return whether there are no attachments} */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Checks every exact name against {@code points}.
     *
     * @param points every hook-point name of the model; not empty
     * @throws IllegalArgumentException naming the first unknown point
     */
    public void checkNames(Collection<String> points) {
        for (Entry e : entries) {
            if (e.name != null && !points.contains(e.name)) {
                throw new IllegalArgumentException("no hook point named '" + e.name + "' (the model has "
                        + points.size() + ", e.g. " + points.iterator().next() + "; see hookPoints())");
            }
        }
    }
}
