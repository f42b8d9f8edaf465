package org.bertj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LinearWarmupDecayTest {

    @Test
    void warmsUpLinearlyThenDecaysToZero() {
        LinearWarmupDecay s = new LinearWarmupDecay(1e-4, 10, 110);
        assertEquals(0.0, s.rate(0));
        assertEquals(1e-5, s.rate(1), 1e-18);
        assertEquals(5e-5, s.rate(5), 1e-18);
        assertEquals(9e-5, s.rate(9), 1e-18);
        assertEquals(1e-4, s.rate(10), 1e-18);
        assertEquals(1e-4 * 0.5, s.rate(60), 1e-18);
        assertEquals(1e-4 * 0.01, s.rate(109), 1e-18);
        assertEquals(0.0, s.rate(110));
        assertEquals(0.0, s.rate(500));
    }

    @Test
    void noWarmupStartsAtPeak() {
        LinearWarmupDecay s = new LinearWarmupDecay(2.0, 0, 4);
        assertEquals(2.0, s.rate(0));
        assertEquals(1.5, s.rate(1));
        assertEquals(0.0, s.rate(4));
    }

    @Test
    void rejectsWarmupLongerThanTraining() {
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmupDecay(1e-4, 10, 5));
    }
}
