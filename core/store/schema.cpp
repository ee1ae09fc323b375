#include "store/schema.h"

#include <array>

namespace loadlens::store {

namespace {

// Natural keys are UNIQUE constraints so that every import is INSERT OR IGNORE: importing the
// same bundle or log twice adds nothing. Strings that repeat across millions of module rows
// (paths, verdict reasons) are stored once and referenced by id.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE hosts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE);

CREATE TABLE snapshots(
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  scanned_at INTEGER NOT NULL,
  boot_id TEXT NOT NULL,
  kernel TEXT NOT NULL,
  os_release TEXT NOT NULL,
  machine TEXT NOT NULL,
  stats TEXT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0,
  UNIQUE(host_id, scanned_at, boot_id));

CREATE TABLE snapshot_facts(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(snapshot_id, key)) WITHOUT ROWID;

CREATE TABLE processes(
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  pid INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  ppid INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  user TEXT NOT NULL,
  name TEXT NOT NULL,
  exe TEXT NOT NULL,
  cmdline TEXT NOT NULL,
  state TEXT NOT NULL,
  kernel_thread INTEGER NOT NULL,
  hidden INTEGER NOT NULL,
  namespace_hint TEXT NOT NULL,
  loader_env TEXT NOT NULL,
  errors TEXT NOT NULL,
  UNIQUE(snapshot_id, pid, start_time));

CREATE TABLE paths(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL);
CREATE INDEX paths_by_name ON paths(name);

CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  path_id INTEGER NOT NULL REFERENCES paths(id),
  dev INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  size INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  owner TEXT NOT NULL,
  grp TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  md5 TEXT NOT NULL,
  package TEXT NOT NULL,
  errors TEXT NOT NULL,
  UNIQUE(host_id, path_id, dev, inode, mtime_ns));

CREATE TABLE verdicts(
  id INTEGER PRIMARY KEY,
  level INTEGER NOT NULL,
  reasons TEXT NOT NULL UNIQUE);

CREATE TABLE modules(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  process_id INTEGER NOT NULL REFERENCES processes(id),
  path_id INTEGER NOT NULL REFERENCES paths(id),
  start INTEGER NOT NULL,
  file_id INTEGER REFERENCES files(id),
  dev INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  level INTEGER NOT NULL,
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id),
  confirmation TEXT NOT NULL,
  ranges TEXT NOT NULL,
  PRIMARY KEY(snapshot_id, process_id, path_id, start)) WITHOUT ROWID;
CREATE INDEX modules_by_path ON modules(path_id, snapshot_id);

CREATE TABLE findings(
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  code TEXT NOT NULL,
  level INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  text TEXT NOT NULL,
  technique TEXT NOT NULL,
  measure TEXT NOT NULL,
  evidence TEXT NOT NULL,
  UNIQUE(snapshot_id, code, pid, evidence));

-- Per snapshot, each distinct (module path, SHA-256) with the number of processes mapping it:
-- stacking and host-level diffs read this instead of the module rows.
CREATE TABLE snapshot_module_stack(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  path_id INTEGER NOT NULL REFERENCES paths(id),
  sha256 TEXT NOT NULL,
  processes INTEGER NOT NULL,
  max_level INTEGER NOT NULL,
  PRIMARY KEY(snapshot_id, path_id, sha256)) WITHOUT ROWID;

CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  channel TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  source TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  level INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  process_guid TEXT NOT NULL,
  pid INTEGER NOT NULL,
  image TEXT NOT NULL,
  image_loaded TEXT NOT NULL,
  user TEXT NOT NULL,
  hashes TEXT NOT NULL,
  signed TEXT NOT NULL,
  signature TEXT NOT NULL,
  signature_status TEXT NOT NULL,
  signature_state INTEGER NOT NULL,
  command_line TEXT NOT NULL,
  parent_image TEXT NOT NULL,
  fields TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_offset INTEGER NOT NULL,
  UNIQUE(host, channel, record_id, time_us));
)sql";

// Version 2: events get one natural key column. (host, channel, record id, time) merged every
// event without a record id that shared a time with another (flat JSON exports without
// RecordNumber, Azure rows): event_key is "r:<record id>:<time us>" where the source has a
// record id and "h:<content hash>[#n]" (sysmon/event_key.h) where it has none. Rows of
// version 1 keep what identified them then; a record id of 0 there marks a row that a content
// key may claim later (EventWriter).
constexpr const char *kSchemaV2 = R"sql(
CREATE TABLE events_v2(
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  channel TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  source TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  level INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  process_guid TEXT NOT NULL,
  pid INTEGER NOT NULL,
  image TEXT NOT NULL,
  image_loaded TEXT NOT NULL,
  user TEXT NOT NULL,
  hashes TEXT NOT NULL,
  signed TEXT NOT NULL,
  signature TEXT NOT NULL,
  signature_status TEXT NOT NULL,
  signature_state INTEGER NOT NULL,
  command_line TEXT NOT NULL,
  parent_image TEXT NOT NULL,
  fields TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_offset INTEGER NOT NULL,
  event_key TEXT NOT NULL,
  UNIQUE(host, channel, event_key));
INSERT INTO events_v2(id, host, channel, record_id, time_us, source, event_id, kind, level, reasons, process_guid,
  pid, image, image_loaded, user, hashes, signed, signature, signature_status, signature_state, command_line,
  parent_image, fields, source_file, source_offset, event_key)
SELECT id, host, channel, record_id, time_us, source, event_id, kind, level, reasons, process_guid,
  pid, image, image_loaded, user, hashes, signed, signature, signature_status, signature_state, command_line,
  parent_image, fields, source_file, source_offset, 'r:' || record_id || ':' || time_us FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
)sql";

// Version 3: events carved from an EVTX file's unallocated space (chunk slack, chunks past the
// header's count) are marked: they may be partial older copies, so a live record with the same
// key replaces such a row, and they never replace a row (EventWriter).
// The partial index holds recovered rows only: it answers "does the case hold any?" at once
// and costs live rows nothing.
constexpr const char *kSchemaV3 = R"sql(
ALTER TABLE events ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_recovered ON events(recovered) WHERE recovered <> 0;
)sql";

// Version 4: module rows shrink to what differs between them (a fifth of their size): the
// mapped ranges, relative to the module's start, and the confirmation text are interned
// together in module_shapes (a library has the same layout in every process that maps it);
// dev and inode are NULL where file_id names a file with the same ones (readers take the
// file's); modules_by_path goes: who-loads reads the module rows of the snapshots whose module
// stack names the path, and kernel code pages (flag 16, left out of the stack) through a
// partial index of their own, a row or two per process.
// loadlens_relative_ranges is registered on every connection (store/module_ranges.h).
constexpr const char *kSchemaV4 = R"sql(
CREATE TABLE module_shapes(
  id INTEGER PRIMARY KEY,
  confirmation TEXT NOT NULL,
  ranges TEXT NOT NULL,
  UNIQUE(confirmation, ranges));
CREATE TABLE modules_v4(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  process_id INTEGER NOT NULL REFERENCES processes(id),
  path_id INTEGER NOT NULL REFERENCES paths(id),
  start INTEGER NOT NULL,
  file_id INTEGER REFERENCES files(id),
  dev INTEGER,
  inode INTEGER,
  flags INTEGER NOT NULL,
  level INTEGER NOT NULL,
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id),
  shape_id INTEGER NOT NULL REFERENCES module_shapes(id),
  PRIMARY KEY(snapshot_id, process_id, path_id, start)) WITHOUT ROWID;
CREATE TEMP TABLE migrate_shapes AS
  SELECT snapshot_id, process_id, path_id, start, loadlens_relative_ranges(start, ranges) AS relative FROM modules;
INSERT OR IGNORE INTO module_shapes(confirmation, ranges)
  SELECT m.confirmation, t.relative FROM modules m JOIN temp.migrate_shapes t USING(snapshot_id, process_id, path_id, start);
INSERT INTO modules_v4(snapshot_id, process_id, path_id, start, file_id, dev, inode, flags, level, verdict_id, shape_id)
  SELECT m.snapshot_id, m.process_id, m.path_id, m.start, m.file_id,
    CASE WHEN f.dev = m.dev AND f.inode = m.inode THEN NULL ELSE m.dev END,
    CASE WHEN f.dev = m.dev AND f.inode = m.inode THEN NULL ELSE m.inode END,
    m.flags, m.level, m.verdict_id, sh.id
  FROM modules m JOIN temp.migrate_shapes t USING(snapshot_id, process_id, path_id, start)
  JOIN module_shapes sh ON sh.confirmation = m.confirmation AND sh.ranges = t.relative
  LEFT JOIN files f ON f.id = m.file_id
  ORDER BY m.snapshot_id, m.process_id, m.path_id, m.start;
DROP TABLE temp.migrate_shapes;
DROP TABLE modules;
ALTER TABLE modules_v4 RENAME TO modules;
CREATE INDEX modules_kernel_pages ON modules(path_id, snapshot_id) WHERE (flags & 16) <> 0;
)sql";

constexpr std::array<Migration, 4> kMigrations{{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
}};

} // namespace

const char *const kEventIndexesSql =
    "CREATE INDEX IF NOT EXISTS events_by_time ON events(time_us);"
    "CREATE INDEX IF NOT EXISTS events_by_source ON events(source, event_id, time_us);"
    "CREATE INDEX IF NOT EXISTS events_by_level ON events(level, time_us);";
const char *const kDropEventIndexesSql =
    "DROP INDEX IF EXISTS events_by_time;"
    "DROP INDEX IF EXISTS events_by_source;"
    "DROP INDEX IF EXISTS events_by_level;";

std::span<const Migration> migrations() { return kMigrations; }

} // namespace loadlens::store
