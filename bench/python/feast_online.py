"""Sets up Feast's Python feature server for bench/features/online-hot-path.ts: a Feast repo in
<dir> (feature_store.yaml: local provider, file registry, Redis online store on the same Redis
as Strata), entity customer (customer_id INT64), feature view hot_stats with f0..f9 (INT64 when
i % 3 == 0, else FLOAT64), and the same rows as Strata's: customer_id 0..n-1, f_k = id * k (INT64)
or id / (k + 1), event time 2024-03-01T10:00:00Z, written with write_to_online_store.
`teardown` removes the project's keys from Redis.

    python feast_online.py setup <dir> <redis host:port> <entities>
    python feast_online.py teardown <dir>
"""
import sys
from datetime import datetime, timezone

import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
from feast.types import Float64, Int64

cmd, d = sys.argv[1], sys.argv[2]
if cmd == "setup":
    redis, n = sys.argv[3], int(sys.argv[4])
    with open(f"{d}/feature_store.yaml", "w") as f:
        f.write(
            "project: strata_bench_online\n"
            f"registry: {d}/registry.db\n"
            "provider: local\n"
            "online_store:\n  type: redis\n"
            f"  connection_string: \"{redis}\"\n"
            "offline_store:\n  type: file\n"
            "entity_key_serialization_version: 3\n"
        )
store = FeatureStore(repo_path=d)
if cmd == "teardown":
    store.teardown()
    sys.exit(0)
features = [f"f{i}" for i in range(10)]
customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
rows = pd.DataFrame({"customer_id": list(range(n))})
for k, f in enumerate(features):
    rows[f] = [i * k for i in range(n)] if k % 3 == 0 else [i / (k + 1) for i in range(n)]
rows["event_timestamp"] = datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
rows.to_parquet(f"{d}/hot.parquet")
view = FeatureView(
    name="hot_stats",
    entities=[customer],
    ttl=None,
    schema=[Field(name=f, dtype=Int64 if k % 3 == 0 else Float64) for k, f in enumerate(features)],
    source=FileSource(name="hot_source", path=f"{d}/hot.parquet", timestamp_field="event_timestamp"),
    online=True,
)
store.apply([customer, view])
store.write_to_online_store("hot_stats", rows)
print("ok")
