"""Feast's own Python SDK against Strata's features service.

A Feast repo whose online store is ``type: remote, path: <features service URL>`` (Feast's
``RemoteOnlineStore``, feast/infra/online_stores/remote.py) reads and writes through Strata:

- reads: ``FeatureStore.get_online_features`` -> ``POST /get-online-features``;
- writes: ``FeatureStore.push(..., to=PushMode.ONLINE)`` and ``write_to_online_store`` ->
  ``POST /write-to-online-store`` (one request per feature view of the push source).

Data: ``driver_stats_slice.csv``, the last two hourly rows of each of the five drivers of
Feast's driver-stats example (../shared/datasets/feast-driver-stats/driver_stats.parquet; float32
rates written as the exact doubles of their float32 values). It is loaded with Strata's own HTTP
API (``/feature-repo/apply``, ``/push``); the Feast client must then read what Strata's HTTP API
answers, value for value.

Run by apps/strata-e2e/src/feast-client.e2e-spec.ts with STRATA_FEATURES_URL set to a features
service on a fresh schema (auth off).
"""
import csv
import json
import os
import pathlib
import urllib.error
import urllib.request
from datetime import timedelta

import pandas as pd
import pytest
from feast import Entity, FeatureService, FeatureStore, FeatureView, Field, FileSource, PushSource, ValueType
from feast.data_source import PushMode
from feast.errors import FeatureViewNotFoundException
from feast.types import Float32, Int64

URL = os.environ["STRATA_FEATURES_URL"].rstrip("/")
HERE = pathlib.Path(__file__).parent
FIXTURE = HERE / "driver_stats_slice.csv"
FEATURES = ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate", "driver_hourly_stats:avg_daily_trips"]
DRIVERS = [1001, 1002, 1003, 1004, 1005]

# Strata's definition of the same repo (the features service's YAML kinds).
STRATA_REPO = """
kind: Entity
name: driver
joinKey: driver_id
valueType: INT64
---
kind: PushSource
name: driver_stats_push
schema:
  - { name: driver_id, dtype: INT64 }
  - { name: event_timestamp, dtype: TIMESTAMP }
  - { name: conv_rate, dtype: FLOAT32 }
  - { name: acc_rate, dtype: FLOAT32 }
  - { name: avg_daily_trips, dtype: INT64 }
  - { name: created, dtype: TIMESTAMP }
timestampField: event_timestamp
createdTimestampField: created
---
kind: FeatureView
name: driver_hourly_stats
entities: [driver_id]
ttlSeconds: 0
source: { datasetName: feast_driver_stats }
timestampField: event_timestamp
createdTimestampField: created
pushSource: driver_stats_push
features:
  - { name: conv_rate, dtype: FLOAT32 }
  - { name: acc_rate, dtype: FLOAT32 }
  - { name: avg_daily_trips, dtype: INT64 }
---
kind: FeatureService
name: driver_activity
features: [driver_hourly_stats:conv_rate, driver_hourly_stats:avg_daily_trips]
"""


def http(method: str, path: str, body=None):
    """Strata's HTTP API: (status, decoded JSON body)."""
    req = urllib.request.Request(
        f"{URL}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def fixture_rows():
    with open(FIXTURE, newline="") as f:
        return list(csv.DictReader(f))


def latest_by_driver():
    latest = {}
    for r in fixture_rows():
        d = int(r["driver_id"])
        if d not in latest or r["event_timestamp"] > latest[d]["event_timestamp"]:
            latest[d] = r
    return latest


def strata_online(drivers):
    """Strata's HTTP answer as {feature: [values per driver]} plus statuses."""
    status, body = http("POST", "/get-online-features", {"features": FEATURES, "entities": {"driver_id": drivers}})
    assert status == 200, body
    names = body["metadata"]["feature_names"]
    return {n: r["values"] for n, r in zip(names, body["results"])}, {n: r["statuses"] for n, r in zip(names, body["results"])}


@pytest.fixture(scope="module")
def strata_loaded():
    status, body = http("POST", "/feature-repo/apply", {"documents": [{"file": "driver_stats.yaml", "content": STRATA_REPO}]})
    assert status == 200, body
    rows = fixture_rows()
    df = {
        "driver_id": [int(r["driver_id"]) for r in rows],
        "event_timestamp": [r["event_timestamp"] for r in rows],
        "conv_rate": [float(r["conv_rate"]) for r in rows],
        "acc_rate": [float(r["acc_rate"]) for r in rows],
        "avg_daily_trips": [int(r["avg_daily_trips"]) for r in rows],
        "created": [r["created"] for r in rows],
    }
    status, body = http("POST", "/push", {"push_source_name": "driver_stats_push", "df": df, "to": "online"})
    assert status == 200, body
    assert body["featureViews"] == [{"name": "driver_hourly_stats", "onlineRowCount": len(DRIVERS)}]
    return True


@pytest.fixture(scope="module")
def store(tmp_path_factory, strata_loaded):
    repo = tmp_path_factory.mktemp("feast_repo")
    source_file = repo / "driver_stats.parquet"
    frame = pd.read_csv(FIXTURE)
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True)
    frame["created"] = pd.to_datetime(frame["created"], utc=True)
    frame.to_parquet(source_file)
    (repo / "feature_store.yaml").write_text(
        "project: strata_driver_stats\n"
        f"registry: {repo / 'registry.db'}\n"
        "provider: local\n"
        "online_store:\n"
        "  type: remote\n"
        f"  path: {URL}\n"
        "  connection_retries: 0\n"
        "offline_store:\n"
        "  type: file\n"
        "entity_key_serialization_version: 3\n"
    )
    fs = FeatureStore(repo_path=str(repo))
    driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)
    batch = FileSource(name="driver_stats_source", path=str(source_file), timestamp_field="event_timestamp", created_timestamp_column="created")
    push = PushSource(name="driver_stats_push", batch_source=batch)
    schema = [Field(name="conv_rate", dtype=Float32), Field(name="acc_rate", dtype=Float32), Field(name="avg_daily_trips", dtype=Int64)]
    fv = FeatureView(name="driver_hourly_stats", entities=[driver], ttl=timedelta(0), schema=schema, source=push, online=True)
    # A view the Feast repo has and Strata does not: writes to it must fail with Feast's exception.
    ghost = FeatureView(name="ghost_view", entities=[driver], ttl=timedelta(0), schema=schema, source=batch, online=True)
    activity = FeatureService(name="driver_activity", features=[fv[["conv_rate", "avg_daily_trips"]]])
    fs.apply([driver, batch, push, fv, ghost, activity])
    return fs


def test_feast_client_reads_what_strata_http_api_answers(store):
    got = store.get_online_features(features=FEATURES, entity_rows=[{"driver_id": d} for d in DRIVERS]).to_dict()
    values, statuses = strata_online(DRIVERS)
    assert statuses["conv_rate"] == ["PRESENT"] * len(DRIVERS)
    assert got["driver_id"] == DRIVERS
    for name in ("conv_rate", "acc_rate", "avg_daily_trips"):
        assert got[name] == values[name], name
    # ...and both are the latest fixture row of each driver
    latest = latest_by_driver()
    assert got["conv_rate"] == [float(latest[d]["conv_rate"]) for d in DRIVERS]
    assert got["acc_rate"] == [float(latest[d]["acc_rate"]) for d in DRIVERS]
    assert got["avg_daily_trips"] == [int(latest[d]["avg_daily_trips"]) for d in DRIVERS]


def test_feast_client_reads_a_feature_service(store):
    got = store.get_online_features(features=store.get_feature_service("driver_activity"), entity_rows=[{"driver_id": d} for d in DRIVERS]).to_dict()
    latest = latest_by_driver()
    assert sorted(got) == ["avg_daily_trips", "conv_rate", "driver_id"]
    assert got["avg_daily_trips"] == [int(latest[d]["avg_daily_trips"]) for d in DRIVERS]
    assert got["conv_rate"] == [float(latest[d]["conv_rate"]) for d in DRIVERS]


def test_feast_client_unknown_driver_is_none_and_full_feature_names(store):
    got = store.get_online_features(features=FEATURES, entity_rows=[{"driver_id": 1001}, {"driver_id": 999999}], full_feature_names=True).to_dict()
    latest = latest_by_driver()
    assert got["driver_hourly_stats__conv_rate"] == [float(latest[1001]["conv_rate"]), None]
    assert got["driver_hourly_stats__avg_daily_trips"] == [int(latest[1001]["avg_daily_trips"]), None]
    _, statuses = strata_online([1001, 999999])
    assert statuses["conv_rate"] == ["PRESENT", "NOT_FOUND"]


def test_feast_push_writes_through_strata(store):
    pushed = pd.DataFrame(
        {
            "driver_id": [1001, 1003],
            "event_timestamp": pd.to_datetime(["2024-05-09T10:00:00Z", "2024-05-09T10:00:00Z"], utc=True),
            "conv_rate": [0.25, 0.75],
            "acc_rate": [0.5, 0.125],
            "avg_daily_trips": [1234, 4321],
            "created": pd.to_datetime(["2024-05-09T10:05:00Z", "2024-05-09T10:05:00Z"], utc=True),
        }
    )
    pushed["conv_rate"] = pushed["conv_rate"].astype("float32")
    pushed["acc_rate"] = pushed["acc_rate"].astype("float32")
    store.push("driver_stats_push", pushed, to=PushMode.ONLINE)

    values, statuses = strata_online([1001, 1002, 1003])
    assert values["conv_rate"] == [0.25, float(latest_by_driver()[1002]["conv_rate"]), 0.75]
    assert values["acc_rate"] == [0.5, float(latest_by_driver()[1002]["acc_rate"]), 0.125]
    assert values["avg_daily_trips"] == [1234, int(latest_by_driver()[1002]["avg_daily_trips"]), 4321]
    assert statuses["conv_rate"] == ["PRESENT"] * 3
    got = store.get_online_features(features=FEATURES, entity_rows=[{"driver_id": 1001}, {"driver_id": 1003}]).to_dict()
    assert got["avg_daily_trips"] == [1234, 4321]
    assert got["conv_rate"] == [0.25, 0.75]

    # An older row pushed later does not replace the newer one (event time wins, as in Feast).
    older = pushed.iloc[:1].copy()
    older["event_timestamp"] = pd.to_datetime(["2024-05-09T07:00:00Z"], utc=True)
    older["avg_daily_trips"] = [1]
    store.write_to_online_store("driver_hourly_stats", older)
    assert strata_online([1001])[0]["avg_daily_trips"] == [1234]


def test_strata_errors_reach_the_feast_client_as_feast_exceptions(store):
    frame = pd.DataFrame(
        {
            "driver_id": [1001],
            "event_timestamp": pd.to_datetime(["2024-05-09T10:00:00Z"], utc=True),
            "conv_rate": pd.Series([0.5], dtype="float32"),
            "acc_rate": pd.Series([0.5], dtype="float32"),
            "avg_daily_trips": [1],
            "created": pd.to_datetime(["2024-05-09T10:00:00Z"], utc=True),
        }
    )
    with pytest.raises(FeatureViewNotFoundException, match="Feature view ghost_view does not exist"):
        store.write_to_online_store("ghost_view", frame)
    # A read Strata refuses (a view it does not know): the status and Strata's message reach the caller.
    with pytest.raises(Exception, match=r"400.*ghost_view"):
        store.get_online_features(features=["ghost_view:conv_rate"], entity_rows=[{"driver_id": 1001}]).to_dict()
