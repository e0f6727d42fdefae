"""Run the emulator standalone: ``python -m tgemu --port 8081 [--rate-limits]``.

Useful to point a manually started bot at it (``base_url`` is printed); users can only be
driven in-process, so this mode is mainly for smoke tests and benchmarks of the HTTP layer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from tgemu.emulator import Emulator


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tgemu", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate-limits", action="store_true", help="enforce flood limits")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--bot-username", default="duban_test_bot")
    parser.add_argument("--token", default=None, help="accept only this token")
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(
        args.bot_username, token=args.token, rate_limits=args.rate_limits, latency=args.latency
    )
    await emu.start(args.host, args.port)
    print(f"base_url      {emu.base_url}", flush=True)
    print(f"base_file_url {emu.base_file_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_args()))


if __name__ == "__main__":
    main()
