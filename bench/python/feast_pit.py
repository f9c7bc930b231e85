"""Feast's local offline store (type "file", i.e. Feast's Dask offline store) on the Parquet files
written by bench/features/pit-vs-feast.ts: 3 feature views of one entity (customer_id), TTL 7 days,
created_timestamp as tie-breaker, then get_historical_features(entity_df).to_df() and the result
written to Parquet (as Strata's join writes Parquet). Prints one JSON line:
{"ms": join + write time, "peakMiB": this process's peak RSS, "rows": output rows, "detail": ...}.

    python feast_pit.py <dir>
"""
import json
import resource
import sys
import time
from datetime import timedelta

import feast
import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
from feast.repo_config import RepoConfig
from feast.types import Float64, Int64

d = sys.argv[1]
config = RepoConfig(
    project="strata_bench_pit",
    registry=f"{d}/feast-registry.db",
    provider="local",
    offline_store={"type": "file"},
    online_store={"type": "sqlite", "path": f"{d}/feast-online.db"},
    entity_key_serialization_version=3,
)
store = FeatureStore(config=config)
customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
views = []
for v in range(3):
    src = FileSource(
        name=f"view_{v}_source",
        path=f"{d}/features/view_{v}/bench.parquet",
        timestamp_field="event_timestamp",
        created_timestamp_column="created_timestamp",
    )
    views.append(
        FeatureView(
            name=f"view_{v}",
            entities=[customer],
            ttl=timedelta(days=7),
            schema=[Field(name=f"v{v}_f0", dtype=Float64), Field(name=f"v{v}_f1", dtype=Float64), Field(name=f"v{v}_f2", dtype=Int64)],
            source=src,
        )
    )
store.apply([customer, *views])
refs = [f"view_{v}:v{v}_f{f}" for v in range(3) for f in range(3)]
t = time.perf_counter()
entity_df = pd.read_parquet(f"{d}/entities.parquet")
load_ms = (time.perf_counter() - t) * 1000
t = time.perf_counter()
out = store.get_historical_features(entity_df=entity_df, features=refs).to_df()
out.to_parquet(f"{d}/feast-out.parquet")
ms = (time.perf_counter() - t) * 1000
non_null = int(out[refs[0].split(":")[1]].notna().sum())
print(json.dumps({
    "ms": ms,
    "loadMs": load_ms,
    "peakMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "rows": len(out),
    "nonNull": non_null,
    "detail": f"feast {feast.__version__} local offline store (dask)",
}))
