#!/usr/bin/env python3
"""The NNTP half of scripts/e2e-real-llm.sh.

For every --case BACKEND:MODEL, one after the other (so that each latency is that of one
answer alone and the llama.cpp server's log can be read per answer):

1. POST a question to the group over NNTP with
   `X-FORLLM-Request: default; backend=BACKEND; model=MODEL`;
2. wait until the answer can be read over NNTP, printing `forllm queue list` progress, and
   stop early when the request fails (printing `queue list` and `queue show`);
3. check the answer: threaded under the question (References ends with its Message-ID),
   `Subject: Re: ...`, `From: Assistant <assistant@personas.HOSTNAME>`, the X-FORLLM-Persona,
   -Model and -Backend headers, a non-empty body and the `-- ` signature naming persona and
   model, and exactly one answer per persona;
4. measure: POST-to-readable latency, the llama.cpp server's own eval figures for that answer
   (its `llama_perf_context_print` lines on stderr), and FORLLM's `LLM answer finished` debug
   line (characters, total and first-token time, completion tokens as the backend reported
   them).

Exit 0 when every case passed; 1 otherwise. Standard library only (Python 3.11: nntplib is
deprecated there, and still works).
"""

import argparse
import email
import email.policy
import email.utils
import json
import re
import subprocess
import sys
import time
import uuid
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import nntplib
    except ImportError:  # removed in Python 3.13
        sys.exit(f"nntp_e2e.py needs nntplib, which Python {sys.version.split()[0]} no longer has: use Python 3.11 or 3.12")


def log(message):
    print(f"[nntp] {message}", flush=True)


class Failure(Exception):
    pass


class Forllm:
    """Runs the `forllm` CLI against the test's configuration."""

    def __init__(self, binary, config):
        self.binary = binary
        self.config = config

    def run(self, *args):
        result = subprocess.run(
            [self.binary, *args, "--config", self.config],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout + result.stderr

    def queue_json(self):
        code, output = self.run("queue", "list", "--json")
        if code != 0:
            return None
        try:
            return json.loads(output)
        except json.JSONDecodeError:
            return None

    def dump(self, ids):
        print("----- forllm queue list -----", flush=True)
        print(self.run("queue", "list")[1], flush=True)
        for request_id in ids:
            print(f"----- forllm queue show {request_id} -----", flush=True)
            print(self.run("queue", "show", str(request_id))[1], flush=True)


def connect(args):
    return nntplib.NNTP(args.host, args.port, readermode=True, timeout=30)


def unfold(value):
    return re.sub(r"\r?\n[ \t]+", " ", value or "").strip()


def post_question(args, backend, model):
    message_id = f"<e2e-{uuid.uuid4().hex}@e2e.invalid>"
    subject = f"E2E {backend}: why is the sky blue?"
    lines = [
        "From: E2E Tester <tester@e2e.invalid>",
        f"Newsgroups: {args.group}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        f"Date: {email.utils.formatdate(localtime=False, usegmt=True)}",
        f"X-FORLLM-Request: default; backend={backend}; model={model}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Why is the sky blue? Explain it in one paragraph of three or four sentences.",
    ]
    with connect(args) as server:
        started = time.monotonic()
        response = server.post("\r\n".join(lines).encode() + b"\r\n")
    log(f"posted {message_id} to {args.group} ({response.strip()})")
    return message_id, subject, started


def find_replies(server, group, message_id):
    """Overview entries of the group whose References end with message_id."""
    _, count, first, last, _ = server.group(group)
    if count == 0:
        return []
    _, overviews = server.over((first, last))
    replies = []
    for number, fields in overviews:
        references = unfold(fields.get("references", "")).split()
        if references and references[-1] == message_id:
            replies.append((number, fields))
    return replies


def our_requests(queue, message_id):
    return [r for r in (queue or []) if r.get("message_id") == message_id]


def wait_for_answer(args, forllm, message_id, started):
    deadline = started + args.timeout
    last_report = 0.0
    requests = []
    with connect(args) as server:
        while True:
            now = time.monotonic()
            replies = find_replies(server, args.group, message_id)
            answers = [r for r in replies if "@personas." in r[1].get("from", "")]
            notices = [r for r in replies if "@personas." not in r[1].get("from", "")]
            if answers:
                # Let a (wrong) second answer or failure notice show up before counting.
                return answers, notices, now - started
            if notices:
                requests = our_requests(forllm.queue_json(), message_id)
                forllm.dump([r["id"] for r in requests])
                _, fields = notices[0]
                _, info = server.article(unfold(fields.get("message-id")))
                text = b"\n".join(info.lines).decode("utf-8", "replace")
                raise Failure(f"instead of an answer, the thread got a notice:\n{text}")
            if now - last_report >= args.progress_seconds:
                last_report = now
                queue = forllm.queue_json()
                requests = our_requests(queue, message_id)
                if requests:
                    summary = "; ".join(
                        f"#{r['id']} {r['status']} persona={r.get('persona')} backend={r.get('backend')} "
                        f"model={r.get('model')} attempts={r['attempts']} chars={r['progress_chars']}"
                        + (f" error={r['error']!r}" if r.get("error") else "")
                        for r in requests
                    )
                else:
                    summary = "no request queued for it yet" if queue is not None else "(queue list failed)"
                log(f"{now - started:6.1f}s waiting: {summary}")
                bad = [r for r in requests if r["status"] in ("failed", "cancelled")]
                if bad:
                    forllm.dump([r["id"] for r in requests])
                    raise Failure(f"request {bad[0]['id']} is {bad[0]['status']}: {bad[0].get('error')}")
            if now > deadline:
                forllm.dump([r["id"] for r in requests])
                raise Failure(f"no answer to {message_id} within {args.timeout:.0f} s")
            time.sleep(args.poll_seconds)


def check_answer(args, message_id, subject, backend, model, answer_id):
    with connect(args) as server:
        _, info = server.article(answer_id)
    raw = b"\r\n".join(info.lines) + b"\r\n"
    article = email.message_from_bytes(raw, policy=email.policy.compat32)
    problems = []

    def header(name):
        return unfold(article.get(name, ""))

    expected_from = f"Assistant <assistant@personas.{args.hostname}>"
    if header("From") != expected_from:
        problems.append(f"From is {header('From')!r}, expected {expected_from!r}")
    if header("Subject") != f"Re: {subject}":
        problems.append(f"Subject is {header('Subject')!r}, expected {'Re: ' + subject!r}")
    references = header("References").split()
    if not references or references[-1] != message_id:
        problems.append(f"References {header('References')!r} does not end with {message_id}")
    if header("Newsgroups") != args.group:
        problems.append(f"Newsgroups is {header('Newsgroups')!r}, expected {args.group!r}")
    if not re.fullmatch(r"assistant \(version \d+\)", header("X-FORLLM-Persona")):
        problems.append(f"X-FORLLM-Persona is {header('X-FORLLM-Persona')!r}, expected 'assistant (version N)'")
    if header("X-FORLLM-Model") != model:
        problems.append(f"X-FORLLM-Model is {header('X-FORLLM-Model')!r}, expected {model!r}")
    if header("X-FORLLM-Backend") != backend:
        problems.append(f"X-FORLLM-Backend is {header('X-FORLLM-Backend')!r}, expected {backend!r}")
    if not header("Message-ID"):
        problems.append("no Message-ID")
    # What the generation cost: the counts the real server reported (llama-cpp-python's OpenAI
    # stream reports none; it ignores stream_options), and the time FORLLM measured.
    usage = header("X-FORLLM-Usage")
    usage_form = r"(prompt=\d+; )?(cached=\d+; )?(completion=\d+; )?first-token=[\d.]+s(; rate=[\d.]+/s)?"
    if not re.fullmatch(usage_form, usage or ""):
        problems.append(f"X-FORLLM-Usage is {usage!r}, expected '[prompt=N; ][completion=N; ]first-token=Ns[; rate=R/s]'")

    payload = article.get_payload(decode=True) or b""
    charset = article.get_content_charset() or "utf-8"
    body = payload.decode(charset, "replace").replace("\r\n", "\n")
    lines = body.split("\n")
    if "-- " not in lines:
        problems.append("no signature delimiter line '-- '")
        text, signature = body, ""
    else:
        cut = len(lines) - 1 - lines[::-1].index("-- ")
        text = "\n".join(lines[:cut])
        signature = "\n".join(lines[cut + 1 :])
        if "assistant" not in signature.lower() or model.lower() not in signature.lower():
            problems.append(f"signature {signature!r} does not name the persona and the model {model!r}")
    if not text.strip():
        problems.append("the answer text before the signature is empty")
    print(f"----- the answer as a newsreader gets it (ARTICLE {answer_id}) -----", flush=True)
    print(raw.decode("utf-8", "replace").replace("\r\n", "\n").rstrip("\n"), flush=True)
    print("-----", flush=True)
    if problems:
        raise Failure(f"answer {header('Message-ID')} to {message_id}:\n  - " + "\n  - ".join(problems))
    return {
        "message_id": header("Message-ID"),
        "persona": header("X-FORLLM-Persona"),
        "usage": usage,
        "text": text.strip(),
        "characters": len(text.strip()),
    }


PERF_EVAL = re.compile(
    r"llama_perf_context_print:\s+eval time =\s*([\d.]+) ms /\s*(\d+) (?:runs|tokens)"
    r".*?([\d.]+) tokens per second"
)
PERF_PROMPT = re.compile(r"llama_perf_context_print:\s+prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")


def read_since(path, offset):
    """The text of the log at path from offset on, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def llama_figures(path, offset):
    """The llama.cpp server's own eval figures logged since offset (the last answer's)."""
    text = read_since(path, offset) if path else None
    if text is None:
        return None
    evals = PERF_EVAL.findall(text)
    prompts = PERF_PROMPT.findall(text)
    if not evals:
        return None
    ms, tokens, per_second = evals[-1]
    figures = {"eval_ms": float(ms), "eval_tokens": int(tokens), "eval_tokens_per_s": float(per_second)}
    if prompts:
        figures["prompt_ms"] = float(prompts[-1][0])
        figures["prompt_tokens"] = int(prompts[-1][1])
    return figures


def forllm_figures(path, backend, offset):
    """FORLLM's `LLM answer finished` debug line for backend, logged since offset."""
    text = read_since(path, offset)
    if text is None:
        return None
    found = None
    for line in text.splitlines():
        if "LLM answer finished" in line and f"llm.backend={backend} " in line + " ":
            found = dict(re.findall(r"(llm\.[a-z_]+)=(\S+)", line))
    return found


def file_size(path):
    try:
        with open(path, "rb") as handle:
            return handle.seek(0, 2)
    except OSError:
        return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hostname", required=True, help="FORLLM's server.hostname")
    parser.add_argument("--group", default="forllm.general")
    parser.add_argument("--forllm", required=True, help="the forllm binary")
    parser.add_argument("--config", required=True)
    parser.add_argument("--forllm-log", required=True)
    parser.add_argument("--llama-log", help="the llama.cpp server's log (stderr)")
    parser.add_argument("--case", action="append", required=True, help="BACKEND:MODEL")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--poll-seconds", type=float, default=0.25)
    parser.add_argument("--progress-seconds", type=float, default=5)
    parser.add_argument("--summary", help="write the figures here as JSON")
    args = parser.parse_args()
    forllm = Forllm(args.forllm, args.config)

    results = []
    try:
        for case in args.case:
            backend, model = case.split(":", 1)
            log(f"=== backend {backend}, model {model} ===")
            llama_offset = file_size(args.llama_log) if args.llama_log else 0
            forllm_offset = file_size(args.forllm_log)
            message_id, subject, started = post_question(args, backend, model)
            answers, _, latency = wait_for_answer(args, forllm, message_id, started)
            log(f"answer readable after {latency:.2f} s")
            # A second answer from the same persona would be a bug: give it a moment to appear.
            time.sleep(1.0)
            with connect(args) as server:
                replies = find_replies(server, args.group, message_id)
            if len(replies) != 1:
                froms = [unfold(f.get("from", "")) for _, f in replies]
                raise Failure(f"{len(replies)} replies to {message_id} instead of one answer: {froms}")
            answer_id = unfold(answers[0][1].get("message-id"))
            answer = check_answer(args, message_id, subject, backend, model, answer_id)
            log(f"answer {answer['message_id']} checked: {answer['characters']} characters")
            time.sleep(0.5)  # the llama.cpp server prints its timings after the last chunk
            results.append(
                {
                    "backend": backend,
                    "model": model,
                    "question": message_id,
                    "answer": answer["message_id"],
                    "latency_s": round(latency, 3),
                    "answer_characters": answer["characters"],
                    "llama_server": llama_figures(args.llama_log, llama_offset),
                    "forllm": forllm_figures(args.forllm_log, backend, forllm_offset),
                }
            )
    except (Failure, nntplib.NNTPError, OSError) as failure:
        print(f"E2E FAILED: {type(failure).__name__}: {failure}", file=sys.stderr, flush=True)
        return 1
    finally:
        # The cases that passed (all of them when the run passed), for the caller to count.
        if args.summary:
            with open(args.summary, "w") as handle:
                json.dump(results, handle, indent=2)

    print_figures(results)
    return 0


def print_figures(results):
    """What was measured, per backend, saying where each figure comes from."""
    print("", flush=True)
    print("Figures (SmolLM2-135M-Instruct Q4_1 on the llama-cpp-python server, --n_threads 1):")
    for r in results:
        print(f"  backend {r['backend']} (model {r['model']}):")
        print(f"    latency, NNTP POST until the answer is readable over NNTP: {r['latency_s']:.2f} s")
        server = r["llama_server"]
        if server:
            print(
                f"    generation, counted by the llama.cpp server (llama_perf_context_print 'eval time'):"
                f" {server['eval_tokens']} tokens in {server['eval_ms']:.0f} ms = {server['eval_tokens_per_s']:.1f} tokens/s"
            )
            if "prompt_tokens" in server:
                print(
                    f"    prompt: {server['prompt_tokens']} tokens evaluated by the server"
                    " (a prefix shared with the previous request is reused from its cache)"
                )
        else:
            print("    llama.cpp server: no timings found in its log")
        f = r["forllm"]
        if not f:
            print("    FORLLM worker: no 'LLM answer finished' line in its log")
            continue
        chars = int(f.get("llm.characters", 0))
        total = int(f.get("llm.total_ms", 0))
        ttft = int(f["llm.ttft_ms"]) if "llm.ttft_ms" in f else None
        line = f"    seen by the FORLLM worker: {chars} characters in {total} ms"
        if total:
            line += f" = {chars * 1000 / total:.0f} characters/s"
        if ttft is not None:
            line += f", first text after {ttft} ms"
        print(line)
        if "llm.completion_tokens" in f and total:
            tokens = int(f["llm.completion_tokens"])
            streaming = total - (ttft or 0)
            rate = f" = {tokens * 1000 / streaming:.1f}/s after the first text" if streaming > 0 else ""
            print(f"    completion count the backend reported to FORLLM: {tokens}{rate}")
        else:
            print("    completion count the backend reported to FORLLM: none")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
