package org.bertj.cli;

/**
 * The inputs of the two seed notebooks and the numbers Hugging Face printed in them, copied from
 * the notebooks ({@code shared/seeds/000_*.txt}, {@code 001_*.txt}) so that {@code bert notebook}
 * can show them beside ours on a machine without the seeds. A test checks every constant against
 * the notebook text. The three input texts are public for the benchmarks (bert-bench measures the
 * bf16 mode's accuracy on them).
 */
public final class SeedNotebooks {

    private SeedNotebooks() {
    }

    /** Notebook 001, In[6]: one text with two [MASK]s (62 tokens). */
    public static final String TEXT = "After Abraham Lincoln won the November 1860 presidential [MASK] on an "
            + "anti-slavery platform, an initial seven slave states declared their "
            + "secession from the country to form the Confederacy. War broke out in "
            + "April 1861 when secessionist forces [MASK] Fort Sumter in South "
            + "Carolina, just over a month after Lincoln's inauguration.";

    /** Notebook 001 In[28] and 000: sentence A of the pair, with its [MASK]. */
    public static final String TEXT_A = "After Abraham Lincoln won the November 1860 presidential [MASK] on an "
            + "anti-slavery platform, an initial seven slave states declared their "
            + "secession from the country to form the Confederacy.";

    /** Sentence B of the pair, with its [MASK]. */
    public static final String TEXT_B = "War broke out in April 1861 when secessionist forces [MASK] Fort "
            + "Sumter in South Carolina, just over a month after Lincoln's "
            + "inauguration.";

    /** Notebook 000: sentence A unmasked; its ids become the labels. */
    static final String TEXT_A_UNMASKED = TEXT_A.replace("[MASK]", "election");

    /** Notebook 000: sentence B unmasked. */
    static final String TEXT_B_UNMASKED = TEXT_B.replace("[MASK]", "attacked");

    /** Notebook 000: the positions where [MASK] is put into the unmasked pair's ids. */
    static final int[] MASKED_POSITIONS = {9, 44};

    /** Notebook 000: {@code next_sentence_label}. */
    static final int NEXT_SENTENCE_LABEL = 0;

    /** The pair's input_ids (with [MASK] at 9 and 44), printed by both notebooks. */
    static final int[] PAIR_INPUT_IDS = {
        101, 2044, 8181, 5367, 2180, 1996, 2281, 7313, 4883, 103,
        2006, 2019, 3424, 1011, 8864, 4132, 1010, 2019, 3988, 2698,
        6658, 2163, 4161, 2037, 22965, 2013, 1996, 2406, 2000, 2433,
        1996, 18179, 1012, 102, 2162, 3631, 2041, 1999, 2258, 6863,
        2043, 22965, 2923, 2749, 103, 3481, 7680, 3334, 1999, 2148,
        3792, 1010, 2074, 2058, 1037, 3204, 2044, 5367, 1005, 1055,
        17331, 1012, 102};

    /** The unmasked pair's input_ids (notebook 000), = the labels. */
    static final int[] PAIR_LABELS = {
        101, 2044, 8181, 5367, 2180, 1996, 2281, 7313, 4883, 2602,
        2006, 2019, 3424, 1011, 8864, 4132, 1010, 2019, 3988, 2698,
        6658, 2163, 4161, 2037, 22965, 2013, 1996, 2406, 2000, 2433,
        1996, 18179, 1012, 102, 2162, 3631, 2041, 1999, 2258, 6863,
        2043, 22965, 2923, 2749, 4457, 3481, 7680, 3334, 1999, 2148,
        3792, 1010, 2074, 2058, 1037, 3204, 2044, 5367, 1005, 1055,
        17331, 1012, 102};

    /** Notebook 001 In[9]: prediction_logits of the single text, the printed corners. */
    static final double[][] CORNERS_SINGLE = {
        {-7.6192, -7.5433, -7.6124, -6.7155, -6.7375, -4.6122},
        {-12.5489, -12.3772, -12.6500, -11.8643, -11.4446, -9.1151},
        {-6.2346, -6.3590, -5.9091, -6.1258, -6.2720, -5.0268},
        {-2.2497, -2.1352, -2.1812, -1.7201, -1.2728, -7.8302},
        {-14.2654, -14.3100, -14.2294, -11.4669, -11.7212, -10.3129},
        {-11.5071, -12.0389, -11.6046, -11.2875, -9.1655, -9.1732}};

    /** Notebook 000: prediction_logits of the masked pair, the printed corners. */
    static final double[][] CORNERS_PAIR = {
        {-8.2231, -8.0797, -8.1794, -7.3005, -7.2905, -5.0078},
        {-12.6802, -12.6025, -12.7861, -12.2099, -11.7521, -8.9502},
        {-6.1791, -6.3236, -5.8000, -6.0132, -6.1775, -4.6381},
        {-1.7799, -1.5980, -1.7029, -1.2014, -1.2108, -6.9480},
        {-14.3935, -14.4690, -14.3760, -11.7672, -11.9389, -10.8475},
        {-13.9112, -14.0683, -13.9222, -11.3252, -11.7293, -10.5214}};

    /** Notebook 001 In[11]: NSP logits of the single text (no [SEP] between the sentences). */
    static final double[] NSP_SINGLE = {2.8256, -1.6897};

    /** Notebook 001 In[48]: NSP logits of the pair. */
    static final double[] NSP_PAIR_001 = {6.0915, -5.6939};

    /** Notebook 000: NSP logits of the pair. */
    static final double[] NSP_PAIR_000 = {6.0843, -5.6813};

    /** Notebook 001 In[25]: the argmax at position 2. */
    static final int ARGMAX_AT_2 = 8181;

    /** Notebook 001 In[20]: the argmax id of every position, as printed (not from these logits). */
    static final int[] ARGMAX_SINGLE = {
        28191, 2348, 8181, 16628, 2180, 3882, 2281, 7313, 4883, 27419,
        2006, 2010, 3424, 1011, 8864, 4132, 1010, 2019, 3988, 2698,
        8914, 2163, 4161, 2037, 4336, 2013, 1996, 2406, 2000, 2433,
        28775, 18179, 16363, 2162, 3631, 2041, 1999, 2258, 6863, 2043,
        18232, 2923, 2749, 4548, 3481, 7680, 5017, 2005, 2148, 3792,
        24901, 2074, 2058, 1037, 3204, 2077, 3946, 1005, 1055, 17331,
        1025, 25656};

    /** Notebook 000: {@code outputs.loss} (MLM + NSP). */
    static final double LOSS = 1.0767;

    /** The words notebook 001's text names for the two masks (from another run, see README). */
    static final String[] NOTEBOOK_MASK_WORDS = {"primaries", "occupied"};
}
