"""An architecture twin of ``intfloat/multilingual-e5-small`` for timing the dense path offline.

The real model cannot be downloaded here, so the benchmark times a model with the
same architecture and the same tensor shapes — a ``BertModel`` with the config below,
mean pooling and L2 normalisation, exactly the sentence-transformers stack of e5 —
but **random weights**. Its embeddings mean nothing: retrieval quality measured with
it is meaningless, while encode time, load time, file size and memory are those of
the real architecture (every matrix, including the 250037 × 384 word embeddings, has
the real shape).

The tokenizer is a sentencepiece-style Unigram model trained on the bundled report
(pieces of at most two characters, every CJK character of the basic block in its
alphabet; the English words of the eval questions added as whole-word pieces) so
that Chinese and English text give token counts of the same order as the real
XLM-R tokenizer; its vocabulary is far smaller than 250037, which does not matter for
speed or memory: the embedding matrix, not the tokenizer, has the real size.

``python -m eval.twin [--twin-dir DIR]`` builds it (about 30 s, ~470 MB on disk) and
prints the directory; :func:`ensure_twin` does the same from code and reuses a built one.
Left out: the ONNX/OpenVINO exports the hub repository also ships.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

REAL_MODEL = "intfloat/multilingual-e5-small"
#: config.json of intfloat/multilingual-e5-small (initialised from microsoft/Multilingual-MiniLM-L12-H384).
E5_SMALL_CONFIG: dict[str, object] = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "hidden_size": 384,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "vocab_size": 250037,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
}
MAX_SEQ_LENGTH = 512
#: Bumped when the twin's recipe changes, so an old build is not reused.
TWIN_FORMAT = 2
_MARK = "twin.json"
_DATA = Path(__file__).resolve().parent.parent / "data"
_REPORT = _DATA / "chongqing-2018-government-information-disclosure-report.txt"


def default_twin_dir() -> Path:
    """``$XDG_CACHE_HOME/report-qa/twin-e5-small`` (``~/.cache/...``). The name holds ``e5``
    on purpose: :mod:`embeddings.model` gives it e5's ``query: ``/``passage: `` prompts."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "report-qa" / "twin-e5-small"


def _english_words() -> set[str]:
    """Latin words of the eval questions and the e5 prompts: XLM-R has whole-word pieces
    for common English words, a 2-character Unigram would cut them into many."""
    questions = Path(__file__).resolve().parent / "questions.jsonl"
    text = questions.read_text("utf-8") if questions.is_file() else ""
    return set(re.findall(r"[A-Za-z]+", text)) | {"query", "passage"}


def _train_tokenizer(texts: list[str]):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from tokenizers.trainers import UnigramTrainer

    specials = ["<s>", "<pad>", "</s>", "<unk>"]  # XLM-R's ids 0-3
    tok = Tokenizer(Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    alphabet = [chr(c) for c in range(0x4E00, 0x9FA6)] + [chr(c) for c in range(0x21, 0x7F)]
    trainer = UnigramTrainer(
        vocab_size=len(alphabet) + 4000, special_tokens=[*specials, "<mask>"], unk_token="<unk>",
        initial_alphabet=alphabet, max_piece_length=2, show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    vocab = [(piece, score) for piece, score in json.loads(tok.to_str())["model"]["vocab"]]
    known = {piece for piece, _ in vocab}
    vocab += [(f"▁{w}", -8.0) for w in sorted(_english_words()) if f"▁{w}" not in known]
    tok.model = Unigram(vocab, unk_id=specials.index("<unk>"))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))],
    )
    return tok


def build_twin(directory: Path, seed: int = 0) -> Path:
    """Write the twin as a sentence-transformers model directory (overwrites ``directory``)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    hf_dir = directory / "_hf"
    text = _REPORT.read_text("utf-8")
    tok = _train_tokenizer([p for p in text.split("\n\n") if p.strip()])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=MAX_SEQ_LENGTH,
    )
    fast.model_input_names = ["input_ids", "attention_mask"]  # as XLM-R's tokenizer
    torch.manual_seed(seed)
    config = BertConfig(**{k: v for k, v in E5_SMALL_CONFIG.items() if k not in ("architectures", "model_type")})
    config.architectures = ["BertModel"]
    model = BertModel(config, add_pooling_layer=True)
    model.eval()
    model.save_pretrained(hf_dir)
    fast.save_pretrained(hf_dir)
    st = SentenceTransformer(
        modules=[Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH), Pooling(384, "mean"), Normalize()],
        device="cpu",
    )
    st.save(str(directory))
    for p in hf_dir.iterdir():
        p.unlink()
    hf_dir.rmdir()
    (directory / _MARK).write_text(
        json.dumps({"format": TWIN_FORMAT, "twin_of": REAL_MODEL, "weights": "random", "seed": seed,
                    "config": E5_SMALL_CONFIG}, indent=1),
        "utf-8",
    )
    return directory


def ensure_twin(directory: Path | None = None) -> Path:
    """The twin's directory, built first if it is missing or from an older recipe."""
    directory = directory or default_twin_dir()
    try:
        mark = json.loads((directory / _MARK).read_text("utf-8"))
        if mark.get("format") == TWIN_FORMAT:
            return directory
    except (OSError, ValueError):
        pass
    log.info("building the e5-small architecture twin in %s", directory)
    return build_twin(directory)


def describe(directory: Path) -> dict[str, object]:
    """Parameter count, file size and tokenizer facts of a built twin, for the benchmark report."""
    files = [p for p in directory.rglob("*") if p.is_file()]
    return {
        "twin_of": REAL_MODEL,
        "weights": "random (seeded): retrieval quality with the twin is meaningless; timings and memory are real",
        "config": E5_SMALL_CONFIG,
        "pooling": "mean over tokens, then L2 normalisation (the e5 sentence-transformers stack)",
        "max_seq_length": MAX_SEQ_LENGTH,
        "disk_bytes": sum(p.stat().st_size for p in files),
        "directory": str(directory),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.twin", description=__doc__.splitlines()[0])
    parser.add_argument("--twin-dir", type=Path, default=None, help="where to build it")
    parser.add_argument("--force", action="store_true", help="rebuild even if one is there")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    directory = args.twin_dir or default_twin_dir()
    print(build_twin(directory) if args.force else ensure_twin(directory))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
