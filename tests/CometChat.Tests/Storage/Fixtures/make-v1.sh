#!/usr/bin/env bash
# Writes the schema-v1 fixtures of MigrationTests with the server as it was before schema version 2
# (commit 1502fe0, fan-out on write): v1.db (SQLite), v1-postgres.sql (pg_dump --inserts of the same story on
# PostgreSQL) and v1-expected.json (every user's feed and the room history as that server answered them).
# Usage: make-v1.sh <CometChat.dll built from 1502fe0> [postgres connection string for an empty database]
set -euo pipefail
DLL=$1; PG=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
KEY=dGVzdC1rZXktdGhhdC1pcy1hdC1sZWFzdC0zMi1ieXRlcy1sb25nIQ==
PORT=18291
T=$(mktemp -d)

story() { # $1 = base url; prints the expected answers as JSON
  local U=$1
  tok() { curl -sf -XPOST "$U/api/login" -d "name=$1&password=pw-$1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'; }
  A=$(tok alice); B=$(tok bob); C=$(tok carol); K=$(tok kim); N=$(tok ann)
  post() { curl -sf -XPOST "$U$2" -H "Authorization: Bearer $1" ${3:+-d "$3"} > /dev/null; }
  post "$A" /api/rooms/lobby/join
  post "$B" /api/rooms/lobby/join
  post "$A" /api/messages "to=%23lobby&body=hello+room&id=r1"
  post "$B" /api/messages "to=alice&body=hi+alice&id=d1"
  post "$C" /api/rooms/lobby/join
  post "$B" /api/messages "to=%23lobby&body=bob+here&id=r2"
  post "$B" /api/rooms/lobby/leave
  post "$C" /api/messages "to=%23lobby&body=carol+here&id=r3"
  post "$A" /api/rooms/attic/join
  post "$A" /api/messages "to=%23attic&body=alone&id=r4"
  post "$K" /api/messages "to=%40support&body=where+is+my+order&id=s1"
  post "$N" /api/messages "to=kim&body=on+its+way&sid=1&id=s2"
  MID=$(curl -sf "$U/api/history?with=alice" -H "Authorization: Bearer $B" | python3 -c 'import json,sys;print(json.load(sys.stdin)["messages"][0]["mid"])')
  post "$A" /api/receipts "ref=$MID&state=read"
  python3 - "$U" "$A" "$B" "$C" "$K" "$N" <<'PY'
import json, sys, urllib.request
u, *tokens = sys.argv[1:]
names = ["alice", "bob", "carol", "kim", "ann"]
def get(path, t):
    req = urllib.request.Request(u + path, headers={"Authorization": "Bearer " + t})
    return json.load(urllib.request.urlopen(req))
out = {"feeds": {}, "history": {}, "head": get("/api/me", tokens[0])["cursor"]}
for n, t in zip(names, tokens):
    out["feeds"][n] = get("/api/messages?since=0&limit=500", t)["messages"]
out["history"]["lobby"] = get("/api/history?with=%23lobby&limit=100", tokens[0])["messages"]
out["history"]["alice-bob"] = get("/api/history?with=bob&limit=100", tokens[0])["messages"]
print(json.dumps(out, indent=1, sort_keys=True))
PY
}

run() { # $1 = extra args; runs the story against a fresh server, prints its JSON
  (cd "$T" && exec dotnet "$DLL" --Chat:Http:Address=127.0.0.1 --Chat:Http:Port=$PORT --Chat:Socket:Enabled=false --Chat:Auth:Key=$KEY \
    --Chat:Auth:HashIterations=1000 --Chat:Limits:Enabled=false --Chat:Support:Agents:0=ann --Logging:LogLevel:Default=Warning "$@") > /tmp/make-v1.log 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done
  curl -sf -XPOST "http://127.0.0.1:$PORT/api/login" -d "name=ann&password=pw-ann" > /dev/null  # the agent online first
  story "http://127.0.0.1:$PORT"
  kill -TERM $pid; wait $pid || true
}


run --Chat:Database="$T/v1.db" > "$HERE/v1-expected.json"
cp "$T/v1.db" "$HERE/v1.db"
if [ -n "$PG" ]; then
  run --Chat:Store=postgres --ConnectionStrings:Postgres="$PG" > "$T/pg.json"
  # Both engines told the same story: the expected answers must agree.
  diff <(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));[m.pop("sentAt") for f in d["feeds"].values() for m in f];[m.pop("sentAt") for h in d["history"].values() for m in h];[m.pop("id") for f in d["feeds"].values() for m in f if m["kind"] in ("join","leave","session")];[m.pop("id") for h in d["history"].values() for m in h if m["kind"] in ("join","leave","session")];print(json.dumps(d,sort_keys=True))' "$HERE/v1-expected.json") \
       <(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));[m.pop("sentAt") for f in d["feeds"].values() for m in f];[m.pop("sentAt") for h in d["history"].values() for m in h];[m.pop("id") for f in d["feeds"].values() for m in f if m["kind"] in ("join","leave","session")];[m.pop("id") for h in d["history"].values() for m in h if m["kind"] in ("join","leave","session")];print(json.dumps(d,sort_keys=True))' "$T/pg.json")
  cp "$T/pg.json" "$HERE/v1-postgres-expected.json"
  URL=$(python3 -c 'import sys; d = dict(p.split("=", 1) for p in sys.argv[1].split(";") if p); print("postgresql://%s@%s:%s/%s" % (d.get("Username", "postgres"), d["Host"], d.get("Port", "5432"), d["Database"]))' "$PG")
  pg_dump --inserts --no-owner --no-privileges --no-comments "$URL" | grep -v '^\\\|^SET \|^SELECT pg_catalog.set_config\|^--\|^$' > "$HERE/v1-postgres.sql"
fi
rm -rf "$T"
