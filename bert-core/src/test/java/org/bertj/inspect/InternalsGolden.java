package org.bertj.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.bertj.model.BertForPreTraining;
import org.bertj.model.BertInputs;
import org.bertj.model.WeightLoader;
import org.bertj.testing.Shared;
import org.bertj.weights.SafetensorsDtype;
import org.bertj.weights.SafetensorsFile;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The internals golden vectors ({@code shared/golden/internals}) and how tests compare with them. */
final class InternalsGolden {

    static final Set<String> INPUTS = Set.of("input_ids", "token_type_ids", "attention_mask");

    private InternalsGolden() {
    }

    static Path dir(String caseName) {
        return Shared.golden("internals").resolve(caseName);
    }

    /** The golden case's model (its own {@code shared/golden/<case>} directory) in {@code type}. */
    static BertForPreTraining model(String caseName, DataType type) throws IOException {
        WeightLoader.Loaded l = WeightLoader.loadDirectory(Shared.golden(caseName), type, WeightLoader.Mode.STRICT);
        assertTrue(l.report().isClean(), l.report().describe());
        return l.model();
    }

    static BertInputs inputs(SafetensorsFile f, String prefix) throws IOException {
        return BertInputs.of(f.load(prefix + "input_ids"), f.load(prefix + "token_type_ids"),
                f.load(prefix + "attention_mask"), null, null);
    }

    /**
     * A stored tensor in its own precision: {@link SafetensorsFile#load} reads F64 as FLOAT (what
     * weights need), but the float64 golden files must be compared at full precision.
     */
    static INDArray load(SafetensorsFile f, String name) throws IOException {
        if (f.dtype(name) != SafetensorsDtype.F64) {
            return f.load(name);
        }
        java.nio.DoubleBuffer b = f.rawBytes(name).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        double[] v = new double[b.remaining()];
        b.get(v);
        long[] shape = f.info(name).shape();
        return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape('c', shape);
    }

    static JsonObject json(String caseName, String file) throws IOException {
        return JsonParser.parseString(Files.readString(dir(caseName).resolve(file))).getAsJsonObject();
    }

    /**
     * Float32: {@code |got - want| <= max(10·hint, 1e-5) + 1e-5·|want|}; float64 (hint < 0):
     * {@code 1e-12 + 1e-12·|want|}: the stored digits, up to the order of our float64 sums (seen: 2e-15).
     *
     * @return the largest absolute difference
     */
    static double assertClose(String what, INDArray want, INDArray got, double hint) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        INDArray w = want.castTo(DataType.DOUBLE);
        INDArray g = got.castTo(DataType.DOUBLE);
        INDArray diff = Transforms.abs(w.sub(g), false);
        double maxAbs = diff.maxNumber().doubleValue();
        boolean f64 = hint < 0;
        double atol = f64 ? 1e-12 : Math.max(10 * hint, 1e-5);
        double rtol = f64 ? 1e-12 : 1e-5;
        double worst = diff.subi(Transforms.abs(w, true).muli(rtol)).subi(atol).maxNumber().doubleValue();
        System.out.printf("%-60s max |diff| %.3g (atol %.3g)%n", what, maxAbs, atol);
        assertTrue(worst <= 0 && !Double.isNaN(maxAbs), what + ": max |diff| " + maxAbs + " exceeds atol " + atol
                + " + " + rtol + " relative");
        return maxAbs;
    }
}
