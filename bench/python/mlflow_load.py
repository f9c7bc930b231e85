"""Loads MLflow's own model-registry store (SQLite at <db>, schema created by MLflow's
SqlAlchemyStore, i.e. its Alembic migrations) with the same registry as bench/registry/search.ts
loads into Strata: models model-00001.. with description, tag team=team-(i % 50); versions 1..V
with run_id run-<i>-<v>, source file:///data/models/<i>/<v>/model.onnx, status READY, tag stage
(prod for the last version, dev otherwise); alias champion -> V. Bulk INSERTs (executemany), then
ANALYZE; one read through MLflow's store checks the rows are visible to it.

    python mlflow_load.py <db file> <models> <versions>
"""
import json
import sys
import time

from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore

db, models, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
store = SqlAlchemyStore(f"sqlite:///{db}")
now = int(time.time() * 1000)
names = [f"model-{i:05d}" for i in range(1, models + 1)]
with store.engine.begin() as c:
    raw = c.connection.driver_connection
    cur = raw.cursor()
    cur.executemany(
        "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)",
        [(n, now, now, f"bench model {i + 1}") for i, n in enumerate(names)],
    )
    cur.executemany(
        "INSERT INTO registered_model_tags (name, key, value) VALUES (?, 'team', ?)",
        [(n, f"team-{(i + 1) % 50}") for i, n in enumerate(names)],
    )
    cur.executemany(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, storage_location, run_id, run_link, status, status_message)"
        " VALUES (?, ?, ?, ?, NULL, 'bench', 'None', ?, ?, ?, NULL, 'READY', NULL)",
        [
            (n, v, now, now, f"file:///data/models/{i + 1}/{v}/model.onnx", f"file:///data/models/{i + 1}/{v}/model.onnx", f"run-{i + 1}-{v}")
            for i, n in enumerate(names)
            for v in range(1, versions + 1)
        ],
    )
    cur.executemany(
        "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, 'stage', ?)",
        [(n, v, "prod" if v == versions else "dev") for n in names for v in range(1, versions + 1)],
    )
    cur.executemany(
        "INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, 'champion', ?)",
        [(n, versions) for n in names],
    )
    cur.execute("ANALYZE")
check = store.get_registered_model(names[len(names) // 2])
assert check.aliases.get("champion") == versions, check
print(json.dumps({"loadS": time.perf_counter() - t, "models": models, "versions": models * versions}))
