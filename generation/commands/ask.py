"""python -m generation ask PROMPT: one prompt, one reply; the quickest check of a backend."""

from __future__ import annotations

import argparse
import sys

from generation.backend import BACKENDS, LOCAL, resolve_backend
from generation.client import Request, SyncLLMClient
from generation.usage import UsageCounter, cost_text

NAME = "ask"
HELP = (
    "send one prompt to the configured endpoint (the embedded model when none is configured); "
    "the reply goes to stdout, its finish reason and token usage to stderr"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", help="the prompt text")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="default: openai when an endpoint "
        "or key is configured (OPENAI_BASE_URL, OPENAI_API_KEY), else local",
    )
    parser.add_argument("--model", help="model name (env WORKBENCH_MODEL); a .gguf path for local")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    parser.add_argument(
        "--completion", action="store_true", help="use the completions endpoint instead of chat"
    )
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--no-cache", action="store_true", help="ask again even if answered before")


def run(args: argparse.Namespace) -> int:
    config = resolve_backend(args.backend, args.model, args.base_url)
    params = {"max_tokens": args.max_tokens, "temperature": args.temperature}
    make = Request.completion if args.completion else Request.chat
    if config.kind == LOCAL:
        print(
            f"using the embedded model {config.model} (starting it may take a moment)",
            file=sys.stderr,
        )
    with SyncLLMClient(config=config, cache=not args.no_cache) as client:
        reply = client.generate(make(args.prompt, **params))
    print(reply.text)
    note = " (cut by the length limit: the reply is incomplete)" if reply.truncated else ""
    print(f"finish_reason: {reply.finish_reason}{note}", file=sys.stderr)
    usage = UsageCounter()
    usage.add(reply)
    source = ", from the cache (not paid again)" if reply.cached else ""
    print(
        f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion = "
        f"{usage.total_tokens} tokens, cost {cost_text(usage, digits=6)}{source}",
        file=sys.stderr,
    )
    return 0
