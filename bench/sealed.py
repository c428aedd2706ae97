"""`make bench-sealed`: sealed identity (issue #22) against the plain-context mode on the same data:
two databases built from the same seeded dataset, one sealed (`threadguard seal`, an RS256 key of
threadguard.issuer's). Hot get_tuple, list(limit=10) and the agent superstep (put + put_writes),
both sides as the application login through the binding, interleaved; the sealed side presents
each owner's token, seen before (its first use is an unmeasured statement, as for the identity in
bench.run). Then the first use of a new token, HS256 and RS256-2048: present_token alone, against
a token seen before. Writes bench/results/sealed-SIZE.json and .md, and renders bench/RESULTS.md again
(docs/sealed.md and bench/ATTEMPTS.md discuss them).
Targets: a token seen before <= 1.05 x the plain mode per superstep; a new RS256 token < 5 ms.

    python -m bench.sealed [--size small|medium] [--rounds R] [--per-round K]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import uuid
from pathlib import Path
from typing import Any

import psycopg

import threadguard as tg
from bench import dataset, report
from bench.dataset import Thread
from bench.run import Config, Samples, bench_login, measure, mix, op_get_tuple, op_list, requests_per_second, run_agent, run_saver_ops
from threadguard import sealing
from threadguard.issuer import HmacKey, Issuer, RsaKey

HERE = Path(__file__).resolve().parent
TARGET, FIRST_USE_MS = 1.05, 5.0


def _seal(target: str, issuer: Issuer) -> None:
    """The issuer's keys (this run's: earlier runs' are removed) and the seal."""
    for kid, _, _ in sealing.keys(target):
        sealing.remove_key(target, kid)
    sealing.add_keys(target, issuer.jwks())
    sealing.configure(target, issuer=issuer.issuer, audience=issuer.audience)
    sealing.seal(target)


def _first_use(app: str, issuer: Issuer, samples: int) -> dict[str, Any]:
    """present_token of a token never seen (a new jti each time) against one seen before, per key."""
    out: dict[str, Any] = {}
    with psycopg.connect(app, autocommit=True) as conn:
        pid = conn.execute("select pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        owner = (uuid.uuid4(), uuid.uuid4())
        for key in issuer.keys:
            seen = issuer.token(*owner, key=key, ttl=3600)
            conn.execute("select threadguard.present_token(%s)", (seen,))
            new, again = Samples(), Samples()
            for _ in range(samples):
                fresh = issuer.token(*owner, key=key, ttl=3600, jti=str(uuid.uuid4()))
                for token, into in ((fresh, new), (seen, again)):
                    with conn.transaction():
                        measure(pid, into, lambda token=token: conn.execute("select threadguard.present_token(%s)", (token,)))
            alg = "RS256-2048" if isinstance(key, RsaKey) else "HS256"
            out[alg] = {"new token": new.summary(), "seen before": again.summary()}
    return out


def _mix_worker(app: str, threads: list[dict[str, Any]], tokens: dict[str, str] | None, seconds: float, queue: Any) -> None:
    """bench.run's mix (a graph turn; every 5th also lists) as one side, for `seconds`."""
    conn = tg.connect(app)
    queue.put(mix(Config("sealed" if tokens else "plain", conn, acts=True,
                         token=(lambda t: tokens[f"{t.tenant_id}/{t.user_id}"]) if tokens else None), threads, seconds))
    conn.close()


def _throughput(apps: dict[str, str], threads: list[Thread], tokens: dict[str, str], *, seconds: float, rounds: int,
                processes: int = 2) -> dict[str, Any]:
    """Requests per second of the mix, `processes` processes per side, the sides alternating who goes first."""
    per_side: dict[str, list[float]] = {"plain": [], "sealed": []}
    payload = [t.__dict__ for t in threads[:400]]
    for r in range(rounds):
        for side in (("plain", "sealed"), ("sealed", "plain"))[r % 2]:
            per_side[side].append(requests_per_second(_mix_worker, (apps[side], payload, tokens if side == "sealed" else None),
                                                      seconds=seconds, processes=processes))
    return {k: {"runs": v, "median": statistics.median(v)} for k, v in per_side.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(dataset.SIZES), default="small")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seconds", type=float, default=5.0, help="each throughput run (0: none)")
    parser.add_argument("--throughput-rounds", type=int, default=3)
    args = parser.parse_args()
    size = dataset.SIZES[args.size]
    admin_url = os.environ["DATABASE_URL"]
    plain_db = dataset.ensure_database(admin_url, size)
    sealed_db = dataset.ensure_database(admin_url, size, twin="sealed")
    issuer = Issuer(keys=[RsaKey.generate(f"bench-rs256-{uuid.uuid4().hex[:8]}"), HmacKey(f"bench-hs256-{uuid.uuid4().hex[:8]}")])
    _seal(sealed_db, issuer)
    owned: dict[tuple[str, str], str] = {}

    def token(t: Thread) -> str:
        if (t.tenant_id, t.user_id) not in owned:
            owned[(t.tenant_id, t.user_id)] = issuer.token(t.tenant_id, t.user_id, ttl=3600)
        return owned[(t.tenant_id, t.user_id)]

    plain_admin = psycopg.connect(plain_db, autocommit=True)
    sealed_admin = psycopg.connect(sealed_db, autocommit=True)
    plain = Config("plain", tg.connect(bench_login(plain_db)), acts=True, admin=plain_admin)
    sealed = Config("sealed", tg.connect(bench_login(sealed_db)), acts=True, admin=sealed_admin, token=token)
    threads = dataset.sample_threads(plain_admin, 2000, conversations=size.conversations, min_checkpoints=size.checkpoints)
    random.Random(7).shuffle(threads)
    sides = [plain, sealed]
    ops = {"get_tuple": op_get_tuple, "list(limit=10)": op_list}
    results: dict[str, Any] = {
        "size": size.name, "total_checkpoints": size.total_checkpoints,
        "hot": run_saver_ops(sides, threads, rounds=args.rounds, per_round=args.per_round, hot=True, ops=ops),
        "agent": run_agent(sides, threads[20:], samples=args.rounds * args.per_round),
        "first use": _first_use(bench_login(sealed_db), issuer, samples=args.rounds * 10),
    }
    if args.seconds > 0:
        for t in threads[:400]:
            token(t)
        results["throughput"] = _throughput({"plain": bench_login(plain_db), "sealed": bench_login(sealed_db)}, threads,
                                            {f"{k[0]}/{k[1]}": v for k, v in owned.items()}, seconds=args.seconds, rounds=args.throughput_rounds)
    for conn in (plain.conn, sealed.conn, plain_admin, sealed_admin):
        conn.close()
    rows = []
    for regime in ("hot", "agent"):
        for op, by_side in results[regime].items():
            a, b = by_side["plain"].get("median"), by_side["sealed"].get("median")
            ca, cb = by_side["plain"].get("cpu_median"), by_side["sealed"].get("cpu_median")
            ratio = b / a if a and b else None
            cpu = f"{cb / ca:.3f}" if ca and cb else "-"
            rows.append(f"| {regime} | {op} | {a:.0f} | {b:.0f} | {ratio:.3f} | {cpu} | {'yes' if ratio and ratio <= TARGET else 'no'} |"
                        if ratio else f"| {regime} | {op} | - | - | - | - | - |")
    if "throughput" in results:
        a, b = results["throughput"]["plain"]["median"], results["throughput"]["sealed"]["median"]
        rows.append(f"| throughput | graph turn mix, requests/s (2 processes) | {a:.0f} | {b:.0f} | {b / a:.3f} | - | "
                    f"{'yes' if b / a >= 1 / TARGET else 'no'} |")
    first = []
    for alg, by in results["first use"].items():
        new, seen = by["new token"]["median"], by["seen before"]["median"]
        first.append(f"| {alg} | {new / 1000:.2f} | {seen / 1000:.3f} | {'yes' if alg != 'RS256-2048' or new / 1000 < FIRST_USE_MS else 'no'} |")
    (args.out / "results").mkdir(parents=True, exist_ok=True)
    stem = f"sealed-{size.name}"
    (args.out / "results" / f"{stem}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (args.out / "results" / f"{stem}.md").write_text(
        "# Sealed identity against the plain-context mode (generated by `make bench-sealed`)\n\n"
        f"Dataset `{size.name}` ({size.total_checkpoints:,} checkpoints), built twice from the same seed; one copy sealed. "
        "Both sides as the application login through the binding, interleaved; the sealed side presents each owner's token "
        f"(seen before). {args.rounds} rounds x {args.per_round} per operation; wall time and backend CPU, median µs.\n\n"
        "| regime | operation | plain µs | sealed µs | wall ratio | CPU ratio | ≤ 1.05 |\n|---|---|---:|---:|---:|---:|---|\n"
        + "\n".join(rows) + "\n\n"
        "First use of a token: `select threadguard.present_token(...)` alone, as the application login, median.\n\n"
        "| key | new token ms | seen before ms | RS256 < 5 ms |\n|---|---:|---:|---|\n" + "\n".join(first) + "\n")
    (args.out / "RESULTS.md").write_text(report.render(args.out))
    print("\n".join(rows + first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
