package org.bertj.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * What every model class has in common, as Hugging Face's {@code BertPreTrainedModel} is the base
 * of its BERT classes. There is one class per HF model class, sharing the modules:
 * {@link BertModel} (the encoder alone), {@link BertForMaskedLM} (encoder + {@code cls.predictions})
 * and {@link BertForPreTraining} (encoder + {@code cls.predictions} + {@code cls.seq_relationship}).
 * {@link WeightLoader#loadAuto} picks the one a checkpoint's tensors make.
 */
public sealed interface BertPreTrainedModel permits BertModel, BertForMaskedLM, BertForPreTraining {

    /** {@return the configuration the model was built for} */
    BertConfig config();

    /** {@return every tensor by its HF name, in HF order; live: writing them changes the model} */
    Parameters parameters();

    /** {@return the encoder ({@code bert.*}), or the model itself for a {@link BertModel}} */
    BertModel bert();

    /**
     * {@return the Hugging Face class this one is: {@code BertModel}, {@code BertForMaskedLM} or
     * {@code BertForPreTraining}}
     */
    String hfClassName();

    /** {@return the element type of every tensor: FLOAT or DOUBLE} */
    default DataType dataType() {
        return parameters().dataType();
    }
}
