"""The dynamic-provider server provdc starts serves more calls at once than pulumi.dynamic's 4.

Real process, real gRPC: the server of the wrapper engine.py writes, started as the engine starts
it, takes PARTIES Create calls of a provider that waits until all of them have arrived.
"""

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc  # type: ignore[import-untyped]
import pytest
from barrier_provider import PARTIES, BarrierProvider
from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from provdc.stacks.engine import provider_python

URN = "urn:pulumi:test::provdc::pulumi-python:dynamic:Resource::"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    wrapper = provider_python(tmp_path)
    path = os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [str(wrapper), "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        proc.kill()
        proc.wait()


def _create(stub: provider_pb2_grpc.ResourceProviderStub, provider: str, name: str) -> str:
    props = struct_pb2.Struct()
    props.update({"__provider": provider, "name": name})
    request = provider_pb2.CreateRequest(urn=URN + name, properties=props)
    return str(stub.Create(request, timeout=60).id)


def test_provider_server_serves_more_calls_at_once_than_four(
    server: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    provider = serialize_provider(BarrierProvider())
    names = [f"r{i}" for i in range(PARTIES)]
    with ThreadPoolExecutor(PARTIES) as pool:
        ids = list(pool.map(lambda n: _create(server, provider, n), names))
    assert ids == names
