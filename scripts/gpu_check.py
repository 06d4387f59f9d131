"""Check the GPU path in under five minutes: CUDA tests, CPU vs CUDA probabilities, throughput.

    .venv/bin/python scripts/gpu_check.py            # on a machine with CUDA (and ../shared for step 2)

1. the CUDA tests of the suite (``pytest -k cuda``);
2. the real students (configs/models/*.toml, weights in ../shared): fp32 on the CPU against fp32
   and bf16 on CUDA, max absolute probability difference and label agreement;
3. ``scripts/bench_inference.py`` on a 12-layer model of CodeBERT-base width (random weights,
   built now), then sequences per second in bf16 and the share of the GPU's dense bf16 peak,
   with model FLOPs estimated as 2 x (non-embedding parameters) x tokens.

Without CUDA it says so and exits 0 having checked nothing. Each step has its own time limit;
a step that fails is reported and the next one still runs; the exit code is 1 if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

# dense bf16 peak (TFLOPS, no sparsity) by a substring of torch.cuda.get_device_name()
BF16_PEAK_TFLOPS = {"H200": 989, "H100": 989, "H800": 989, "GH200": 989, "B200": 2250, "A100": 312, "A800": 312,
                    "A10G": 70, "A10": 125, "L40S": 362, "L40": 181, "L4": 121, "RTX 4090": 165, "RTX 3090": 71,
                    "V100": 0, "T4": 0}  # 0: no bf16 tensor cores
STUDENT_DATA = {"clone": ("clone-detection", "bigclonebench-test"), "devign": ("vulnerability-prediction", "devign-test")}
TESTS_SECONDS = 150
COMPARE_INPUTS = 200
BENCH_INPUTS = 1024


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device on this machine (torch.cuda.is_available() is False); nothing checked")
        return 0
    from bench_support import print_provenance

    print_provenance()
    print(f"gpu_check: {torch.cuda.get_device_name()}, torch {torch.__version__}, CUDA {torch.version.cuda}")
    failures = []
    for name, step in (("CUDA tests", cuda_tests), ("CPU vs CUDA on the real students", compare_students),
                       ("throughput of a 12-layer model", throughput)):
        print(f"\n== {name}", flush=True)
        start = time.perf_counter()
        try:
            ok = step()
        except Exception as exc:  # report and go on: the time on the machine is short
            print(f"FAILED: {type(exc).__name__}: {exc}")
            ok = False
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)
        if not ok:
            failures.append(name)
    print("\ngpu_check:", "all steps passed" if not failures else f"failed: {', '.join(failures)}")
    return 1 if failures else 0


def cuda_tests() -> bool:
    files = [str(p) for p in sorted((REPO / "tests").glob("test_*.py")) if "cuda" in p.read_text(encoding="utf-8")]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "cuda", *files]
    try:
        done = subprocess.run(command, cwd=REPO, timeout=TESTS_SECONDS, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        print(f"the CUDA tests took over {TESTS_SECONDS} s")
        return False
    print("\n".join(done.stdout.strip().splitlines()[-15:]))
    return done.returncode == 0


def compare_students() -> bool:
    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models import load_model
    from metacompress.tasks import get_task, sample

    shared = REPO.parent / "shared"
    if not (shared / "models").is_dir():
        print(f"skipped: no real students ({shared / 'models'} does not exist)")
        return True
    worst = 0.0
    for spec in sorted((REPO / "configs" / "models").glob("*.toml")):
        task_name, data = next(v for k, v in STUDENT_DATA.items() if k in spec.stem)
        model = load_model(str(spec))
        task = get_task(task_name)
        examples = sample(task.load(str(shared / "data" / data)).examples, COMPARE_INPUTS, 0)
        inputs = [task.model_input(e.code) for e in examples]
        cpu = predict_proba(model, inputs, InferenceSettings(64, "cpu", "fp32", progress=False)).probs
        for precision in ("fp32", "bf16"):
            gpu = predict_proba(model, inputs, InferenceSettings(64, "cuda", precision, progress=False)).probs
            diff = float(abs(gpu - cpu).max())
            agree = float((gpu.argmax(1) == cpu.argmax(1)).mean())
            print(f"{spec.stem:24s} cuda {precision}: max |p - p_cpu| {diff:.2e}, label agreement {agree:.1%} "
                  f"({len(inputs)} inputs)")
            if precision == "fp32":
                worst = max(worst, diff)
        model.module.to("cpu")
    print(f"worst fp32 difference {worst:.2e} ({'ok' if worst < 1e-4 else 'above 1e-4'})")
    return worst < 1e-4


def throughput() -> bool:
    import torch

    import bench_inference
    from metacompress.demo.tiny import build_tiny_classifier
    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models import load_model

    texts = [text * 3 for text in bench_inference.synthetic_methods(BENCH_INPUTS, seed=1)]  # ~100-500 tokens
    folder = Path(tempfile.mkdtemp(prefix="gpu-check-12l-"))
    build_tiny_classifier(folder, texts[:200], vocab_size=8000, max_length=512, initializer_range=0.02,
                          hidden=768, layers=12, heads=12, intermediate=3072)
    bench_inference.main(["--model", str(folder), "--device", "cuda", "--precision", "bf16", "--limit", "512",
                          "--batch-size", "64", "--repeat", "2"])
    model = load_model(str(folder))
    settings = InferenceSettings(64, "cuda", "bf16", progress=False)
    predict_proba(model, texts[:128], settings)  # warm-up
    torch.cuda.synchronize()
    result = predict_proba(model, texts, settings)
    tokens = sum(len(ids) for ids in model.encode(texts).ids)
    weights = sum(p.numel() for name, p in model.module.named_parameters() if "embeddings" not in name)
    flops = 2 * weights * tokens
    print(f"12-layer, hidden 768: {weights / 1e6:.1f} M non-embedding parameters, {len(texts)} sequences, "
          f"{tokens / len(texts):.0f} tokens on average")
    print(f"bf16: {len(texts) / result.seconds:.0f} sequences/s, {tokens / result.seconds:,.0f} tokens/s "
          f"(tokenising included)")
    name = torch.cuda.get_device_name()
    peak = next((v for k, v in BF16_PEAK_TFLOPS.items() if k in name), None)
    achieved = flops / result.seconds / 1e12
    if peak:
        print(f"about {achieved:.1f} TFLOPS = {achieved / peak:.1%} of the {name} dense bf16 peak ({peak} TFLOPS)")
    else:
        print(f"about {achieved:.1f} TFLOPS (no bf16 peak known for {name})")
    return True


if __name__ == "__main__":
    sys.exit(main())
