package org.bertj.model;

import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where an inference forward pass allocates: ND4J workspaces (arenas reused from call to call)
 * instead of fresh off-heap buffers that live until the garbage collector notices them. Without
 * them a bert-base forward leaves ~90 MB (at 1x128) of garbage per call and the process grows by
 * gigabytes between collections; with them memory stays flat and no page is faulted in twice.
 *
 * <p>Two levels: the whole pass ({@value #PASS}) holds what outlives a layer (embeddings, mask,
 * each layer's output); each encoder layer runs in {@value #LAYER}, recycled for the next layer.
 * Results leave the pass workspace by copy ({@link #result}): into plain memory, or into the
 * caller's workspace if the caller opened one around the call. Training passes (which keep activations for backward) never use workspaces.
 *
 * <p>The pass is also where native calls go single-threaded for the call while {@link CpuParallel}
 * spreads the work over the cores with threads of its own ({@link CpuParallel#beginPass}).
 */
final class ForwardWorkspace implements AutoCloseable {

    static final String PASS = "bertj-forward";
    static final String LAYER = "bertj-layer";

    // Sizes are learnt on the first cycle; a bigger batch later spills and the arena is regrown.
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private final MemoryWorkspace workspace;
    /** The caller's OpenMP thread count to restore, or -1 when this pass left it alone. */
    private final int ompThreads;

    private ForwardWorkspace(MemoryWorkspace workspace, int ompThreads) {
        this.workspace = workspace;
        this.ompThreads = ompThreads;
    }

    /**
     * Opens the pass workspace for an inference pass; a no-op for a caching (training) pass or
     * when an enclosing forward already opened it (then that one copies the results out).
     */
    static ForwardWorkspace enter(Pass pass) {
        if (pass.caches() || Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(PASS)) {
            return new ForwardWorkspace(null, -1);
        }
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, PASS);
        return new ForwardWorkspace(ws, CpuParallel.beginPass());
    }

    /**
     * A layer's workspace inside an open pass workspace, or null (try-with-resources skips it)
     * when there is none.
     */
    static MemoryWorkspace layer() {
        if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(PASS)) {
            return null;
        }
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, LAYER);
    }

    /** {@code a} moved from the layer workspace into the pass workspace (as is when there is none). */
    static INDArray keep(INDArray a, MemoryWorkspace layer) {
        return layer == null || a == null ? a : a.leverageTo(PASS);
    }

    /**
     * {@code a} moved out of the workspace if this call opened it (as is otherwise): into the
     * caller's own workspace when the call runs inside one (a serving loop that reuses its output
     * memory), else into fresh memory.
     */
    INDArray result(INDArray a) {
        return workspace == null || a == null ? a : a.leverage();
    }

    /** Every element of {@code list} through {@link #result(INDArray)}, in place; null stays null. */
    List<INDArray> results(List<INDArray> list) {
        if (list != null) {
            list.replaceAll(this::result);
        }
        return list;
    }

    @Override
    public void close() {
        if (workspace != null) {
            workspace.close();
        }
        CpuParallel.endPass(ompThreads);
    }
}
