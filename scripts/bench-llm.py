#!/usr/bin/env python3
"""scripts/bench-llm.py -- how much of each prompt a real model server takes from its cache.

Usage: scripts/bench-llm.py --forllm PATH [--cache DIR] [--turns N] [--keep]
(run by `scripts/bench llm`; needs the llama-cpp-python venv and the SmolLM2 model that
scripts/e2e-real-llm.sh installs under ~/.cache/forllm-e2e).

Starts llama-cpp-python's server (one slot: it keeps only the last prompt, and its verbose log
says `Llama.generate: N prefix-match hit, remaining M prompt tokens to eval` per request) and
`forllm serve` against it (type openai), then measures:

  (a) one thread answered turn by turn: the share of each prompt from the cache, turn 2 on;
  (b) an overnight batch: three threads with history, the schedule closed, six follow-ups
      interleaved over the threads and two personas, then the window opens: the share of all
      prompt tokens from the cache, and the order FORLLM ran them in.

Counts, not times: the figures do not depend on the machine's load.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from io import BytesIO

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # nntplib leaves the library in 3.13
    from nntplib import NNTP

LOADED = "llama_model_loader: loaded meta data"
PREFIX = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="forllm-bench-llm.")
        self.processes = []

    def start(self, name, argv, **kwargs):
        log = open(os.path.join(self.work, name + ".log"), "wb")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kwargs)
        self.processes.append(process)
        return process

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"kept {self.work}")

    def wait_for(self, what, check, seconds=180):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if check():
                    return
            except Exception:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench-llm: {what} did not come up; logs in {self.work}")

    # -- llama.cpp and forllm ------------------------------------------------------------------

    def start_llama(self):
        venv = os.path.join(self.args.cache, "venv-llama-cpp-python-0.3.36", "bin", "python")
        model = os.path.join(self.args.cache, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
        if not (os.path.exists(venv) and os.path.exists(model)):
            raise SystemExit("bench-llm: run scripts/e2e-real-llm.sh once first (it installs the server and model)")
        self.llama_port = free_port()
        self.start("llama", [venv, "-m", "llama_cpp.server", "--model", model, "--model_alias", "smollm2",
                             "--host", "127.0.0.1", "--port", str(self.llama_port),
                             "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", "4096"])
        url = f"http://127.0.0.1:{self.llama_port}/v1/models"
        self.wait_for("the llama.cpp server", lambda: urllib.request.urlopen(url, timeout=2).status == 200)

    def start_forllm(self, name, llama_port=None, extra=""):
        llama_port = llama_port or self.llama_port
        self.database = os.path.join(self.work, name + ".db")
        self.config = os.path.join(self.work, name + ".yaml")
        self.nntp_port = free_port()
        with open(self.config, "w") as f:
            f.write(f"""server:
  listen: 127.0.0.1:{self.nntp_port}
database: {self.database}
llm:
  default_backend: llamacpp
  default_model: smollm2
  max_answer_tokens: 64
  context_chars: 12000
{extra}backends:
  - name: llamacpp
    type: openai
    url: http://127.0.0.1:{llama_port}/v1
""")
        self.forllm_process = self.start("forllm-" + name, [self.args.forllm, "serve", "--config", self.config])
        self.wait_for("forllm serve", lambda: socket.create_connection(("127.0.0.1", self.nntp_port), 1).close() or True)

    def stop_forllm(self):
        self.forllm_process.terminate()
        self.forllm_process.wait(30)

    def forllm(self, *argv):
        result = subprocess.run([self.args.forllm, *argv, "--config", self.config], capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"bench-llm: forllm {' '.join(argv)}: {result.stderr.strip()}")
        return result.stdout

    def requests(self):
        return json.loads(self.forllm("queue", "list", "--json"))

    def wait_done(self, count, seconds=600):
        deadline = time.time() + seconds
        while time.time() < deadline:
            requests = self.requests()
            if sum(1 for r in requests if r["status"] in ("done", "failed")) >= count:
                failed = [r for r in requests if r["status"] == "failed"]
                if failed:
                    raise SystemExit(f"bench-llm: a request failed: {failed[0]['error']}")
                return requests
            time.sleep(0.5)
        raise SystemExit("bench-llm: the answers did not come")

    def post(self, message_id, subject, body, request, references=None):
        lines = ["From: Jane Doe <jane@example.org>", "Newsgroups: forllm.general", f"Subject: {subject}",
                 f"Message-ID: {message_id}", f"X-FORLLM-Request: {request}"]
        if references:
            lines.append(f"References: {' '.join(references)}")
        article = "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n"
        with NNTP("127.0.0.1", self.nntp_port) as nntp:
            nntp.post(BytesIO(article.encode()))

    def llama_lines(self):
        with open(os.path.join(self.work, "llama.log"), errors="replace") as f:
            return [(int(m.group(1)), int(m.group(2))) for m in PREFIX.finditer(f.read())]


QUESTIONS = [
    "How long should bread dough proof at room temperature, and how do I know it is ready?",
    "And if my kitchen is cold, say 17 degrees, what changes?",
    "Could I proof it in the fridge overnight instead?",
    "What about whole wheat flour, does it proof faster?",
    "Last question: how do I keep the crust crisp after baking?",
    "Thanks. One more: does salt slow the yeast down?",
]


def turn_by_turn(bench):
    """(a) One thread, each follow-up asking the same persona again."""
    bench.start_forllm("turns")
    before = len(bench.llama_lines())
    references = []
    for turn in range(bench.args.turns):
        message_id = f"<turn{turn}@bench.example>"
        bench.post(message_id, "Proofing bread" if turn == 0 else "Re: Proofing bread",
                   QUESTIONS[turn % len(QUESTIONS)], "assistant", references or None)
        requests = bench.wait_done(turn + 1)
        answer = next(r for r in requests if r.get("message_id") == message_id)["answer_message_id"]
        references = references + [message_id, answer]
    bench.stop_forllm()
    lines = bench.llama_lines()[before:]
    shares = [hit / (hit + rest) for hit, rest in lines]
    return lines, shares


def overnight(bench):
    """(b) Three threads with history; six follow-ups queued while the schedule is closed."""
    bench.start_forllm("overnight")
    bench.forllm("persona", "create", "Critic", "--handle", "critic",
                 "--instructions", "You are Critic, a baker who questions every claim and asks for evidence.")
    threads = []
    for t in range(3):
        root = f"<thread{t}@bench.example>"
        bench.post(root, f"Question {t}", QUESTIONS[t], "assistant")
        requests = bench.wait_done(t + 1)
        answer = next(r for r in requests if r.get("message_id") == root)["answer_message_id"]
        threads.append([root, answer])
    # Close the schedule: one window, two hours from now.
    start = (datetime.datetime.now() + datetime.timedelta(hours=2)).strftime("%H:%M")
    end = (datetime.datetime.now() + datetime.timedelta(hours=3)).strftime("%H:%M")
    bench.forllm("schedule", "add", "--days", "daily", "--start", start, "--end", end)
    plan = [(0, "assistant"), (1, "critic"), (2, "assistant"), (0, "critic"), (1, "assistant"), (2, "critic")]
    for index, (t, persona) in enumerate(plan):
        bench.post(f"<night{index}@bench.example>", f"Re: Question {t}", QUESTIONS[3 + index % 3], persona,
                   threads[t])
    before = len(bench.llama_lines())
    for window in json.loads(bench.forllm("schedule", "list", "--json")):
        bench.forllm("schedule", "remove", str(window["id"]))
    requests = bench.wait_done(3 + len(plan))
    bench.stop_forllm()
    lines = bench.llama_lines()[before:]
    night = sorted((r for r in requests if (r.get("message_id") or "").startswith("<night")),
                   key=lambda r: r.get("started_at") or "")
    order = [f"{r['message_id'][6]}:thread{plan[int(r['message_id'][6])][0]}/{r['persona']}" for r in night]
    return lines, order


def model_switches(bench, order):
    """(c) 24 requests over two models on one server that reloads on each switch."""
    venv = os.path.join(bench.args.cache, "venv-llama-cpp-python-0.3.36", "bin", "python")
    model = os.path.join(bench.args.cache, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not hasattr(bench, "switch_port"):
        # Two entries of llama-cpp-python's --config_file: it keeps one model loaded and loads the
        # other (here: the same file under another alias) whenever a request names it.
        config = os.path.join(bench.work, "two-models.json")
        entry = {"model": model, "n_ctx": 2048, "n_threads": 1, "n_threads_batch": 1}
        with open(config, "w") as f:
            json.dump({"models": [dict(entry, model_alias="smollm2-a"), dict(entry, model_alias="smollm2-b")]}, f)
        bench.switch_port = free_port()
        bench.start("llama-two", [venv, "-m", "llama_cpp.server", "--config_file", config,
                                  "--host", "127.0.0.1", "--port", str(bench.switch_port)],
                    env=dict(os.environ, PORT=str(bench.switch_port), HOST="127.0.0.1"))
        url = f"http://127.0.0.1:{bench.switch_port}/v1/models"
        bench.wait_for("the two-model server", lambda: urllib.request.urlopen(url, timeout=2).status == 200)
    bench.start_forllm("switch-" + order, llama_port=bench.switch_port, extra=f"  queue_order: {order}\n")
    start = (datetime.datetime.now() + datetime.timedelta(hours=2)).strftime("%H:%M")
    end = (datetime.datetime.now() + datetime.timedelta(hours=3)).strftime("%H:%M")
    bench.forllm("schedule", "add", "--days", "daily", "--start", start, "--end", end)
    for index in range(24):
        model_name = "smollm2-a" if index % 2 == 0 else "smollm2-b"
        bench.post(f"<switch{index}@bench.example>", f"Question {index}", QUESTIONS[index % len(QUESTIONS)],
                   f"assistant; model={model_name}")
    log = os.path.join(bench.work, "llama-two.log")
    loads_before = open(log, errors="replace").read().count(LOADED)
    began = time.time()
    for window in json.loads(bench.forllm("schedule", "list", "--json")):
        bench.forllm("schedule", "remove", str(window["id"]))
    bench.wait_done(24, seconds=1800)
    elapsed = time.time() - began
    bench.stop_forllm()
    # Each switch loads the other model: the server logs the loader's first line.
    switches = open(log, errors="replace").read().count(LOADED) - loads_before
    return switches, elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--forllm", required=True)
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/forllm-e2e"))
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.start_llama()
        lines_a, shares = turn_by_turn(bench)
        lines_b, order = overnight(bench)
        switches = {policy: model_switches(bench, policy) for policy in ("fifo", "hardware")}
    finally:
        bench.stop()
    print()
    print("FORLLM prompt-cache benchmark (llama-cpp-python 0.3.36, SmolLM2-135M, one slot)")
    print()
    print("(a) one thread, turn by turn: prompt tokens from the cache per turn")
    # The server logs no prefix match for a prompt it holds nothing of: the first turn.
    first = args.turns - len(lines_a) + 1
    for turn, ((hit, rest), share) in enumerate(zip(lines_a, shares), start=first):
        print(f"    turn {turn}: {hit:5d} cached + {rest:5d} evaluated = {100 * share:5.1f} %")
    later = [share for turn, share in enumerate(shares, start=first) if turn >= 2]
    if later:
        print(f"    turns 2-{args.turns}: {100 * min(later):.1f} % to {100 * max(later):.1f} % (target >= 80 %)")
    hits = sum(hit for hit, _ in lines_b)
    total = sum(hit + rest for hit, rest in lines_b)
    print("(b) overnight batch, 6 requests over 3 threads and 2 personas:")
    print(f"    run order: {', '.join(order)}")
    for (hit, rest) in lines_b:
        print(f"    {hit:5d} cached + {rest:5d} evaluated")
    print(f"    all prompt tokens from the cache: {hits} of {total} = {100 * hits / max(total, 1):.1f} % (target >= 50 %)")
    print("(c) 24 requests alternating over two models (the server reloads on each switch):")
    for policy, (count, seconds) in switches.items():
        print(f"    llm.queue_order {policy:8s}: {count:2d} model switches, {seconds:6.1f} s until all were answered")
    fifo_time, ordered_time = switches["fifo"][1], switches["hardware"][1]
    print(f"    (target: switches <= 4, time >= 1.5x better than fifo: {fifo_time / max(ordered_time, 0.001):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
