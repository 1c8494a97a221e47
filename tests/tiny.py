"""Builders for the tiny models, tasks and configs the tests run for real."""

from __future__ import annotations

import json
import random
from pathlib import Path

_WORDS = [
    "the",
    "model",
    "answers",
    "questions",
    "about",
    "science",
    "history",
    "and",
    "numbers",
    "while",
    "the",
    "gap",
    "between",
    "two",
    "labs",
    "grows",
    "or",
    "shrinks",
    "over",
    "months",
    "of",
    "training",
    "on",
    "chips",
    "data",
    "and",
    "code",
    "red",
    "blue",
    "green",
    "water",
    "fire",
    "earth",
    "air",
    "stone",
    "tree",
    "river",
    "mountain",
    "city",
    "country",
    "year",
    "month",
    "day",
]


def _corpus(n: int = 400) -> list[str]:
    rng = random.Random(0)
    return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 15))) for _ in range(n)]


def build_tokenizer(folder: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    fast.save_pretrained(folder)
    return fast


def build_model(folder: Path, arch: str) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

    folder.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer(folder)
    common = dict(
        vocab_size=len(tok),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=False,
    )
    config = LlamaConfig(**common) if arch == "llama" else Qwen2Config(**common)
    torch.manual_seed(0 if arch == "llama" else 1)
    model = AutoModelForCausalLM.from_config(config)
    model.save_pretrained(folder)
    return folder


# Two small multiple-choice tasks; answers depend on the words, so different random
# models get different (but deterministic) accuracies.
_TASK_YAML = """\
task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{label}}}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""


def build_tasks(folder: Path, n_items: int = 12) -> Path:
    rng = random.Random(42)
    for name in ("tiny_mc", "tiny_mc2"):
        rows = []
        for i in range(n_items):
            question = " ".join(rng.choice(_WORDS) for _ in range(6))
            choices = [
                " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))) for _ in range(4)
            ]
            rows.append(
                {"id": i, "question": question, "choices": choices, "label": rng.randrange(4)}
            )
        data = folder / f"{name}.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
        (folder / f"{name}.yaml").write_text(_TASK_YAML.format(name=name, data=data))
    return folder


def config_yaml(models: dict[str, Path], task_dir: Path, results: Path) -> str:
    return f"""\
name: tiny
description: two random tiny models on two local tasks
models:
  - id: tiny-llama
    name: Tiny Llama
    origin: US
    organisation: Test Lab US
    released: 2024-06-01
    params_b: 0.0001
    variant: base
    source: {{kind: local, path: {models["llama"]}}}
  - id: tiny-qwen2
    name: Tiny Qwen2
    origin: CN
    organisation: Test Lab CN
    released: 2024-09-01
    params_b: 0.0001
    variant: base
    source: {{kind: local, path: {models["qwen2"]}}}
suite:
  tasks: [tiny_mc, tiny_mc2]
  batch_size: 1
  task_paths: [{task_dir}]
results_dir: {results}
"""


# A small generative task (exact match on a short answer), for chat-template and sampling
# settings; kept out of build_tasks so the multiple-choice folder stays as it is.
_GEN_YAML = """\
task: tiny_gen
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: ["\\n"]
  do_sample: false
  max_gen_toks: 8
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""

# A minimal chat template with Qwen3's thinking switch, so the tiny tokenizer can stand in
# for an instruct model.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>{% endif %}"
    "{% endif %}"
)


def build_gen_task(folder: Path, n_items: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    rows = [
        {
            "id": i,
            "question": " ".join(rng.choice(_WORDS) for _ in range(5)),
            "answer": rng.choice(_WORDS),
        }
        for i in range(n_items)
    ]
    data = folder / "tiny_gen.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "tiny_gen.yaml").write_text(_GEN_YAML.format(data=data))
    return folder


def add_chat_template(model_folder: Path, target: Path) -> Path:
    """A copy of a tiny model folder whose tokenizer has CHAT_TEMPLATE."""
    import shutil

    from transformers import AutoTokenizer

    shutil.copytree(model_folder, target, dirs_exist_ok=True)
    tok = AutoTokenizer.from_pretrained(target)
    tok.chat_template = CHAT_TEMPLATE
    tok.save_pretrained(target)
    return target
