package org.bertj.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the research commands (inspect, attention, logit-lens, attribute, ablate-heads):
 * the model, and the input as text or as a safetensors file ({@code @Mixin}); see {@link Subject}.
 */
final class SubjectOptions {

    @Mixin
    ModelOption model;

    @Option(names = "--text", paramLabel = "TEXT", description = "the input text, tokenized with the model's vocab.txt (default: none; give --text or --inputs)")
    String text;

    @Option(names = "--pair", paramLabel = "TEXT", description = "a second segment: [CLS] TEXT [SEP] PAIR [SEP],"
            + " token types 0 then 1 (default: none, one segment)")
    String pair;

    @Option(names = "--inputs", paramLabel = "FILE", description = "instead of --text: a safetensors file as bert"
            + " forward takes it (input_ids [, token_type_ids, attention_mask, position_ids, head_mask]; default: none)")
    Path inputs;

    @Option(names = "--row", paramLabel = "B", defaultValue = "0", description = "which batch row of --inputs to show")
    int row;
}
