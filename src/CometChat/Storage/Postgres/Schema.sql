-- The CometChat schema for PostgreSQL (Chat:Store=postgres): the same tables as ../Schema.sql.
-- Each "-- version: N" section migrates a database at schema_version N-1 to N; sections only ever get
-- appended, never edited. Names use COLLATE "C" so lists sort by code point as they do on SQLite.
-- "user" is a reserved word here, so that column is always quoted.

-- version: 1
CREATE TABLE settings (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE users (
    name          text COLLATE "C" PRIMARY KEY,
    password_hash text NULL,
    created_at    bigint NOT NULL
);

-- mid is the feed cursor. Every write transaction takes one advisory lock before its first nextval and
-- holds it to its commit, so mids are assigned and become visible in one order across all nodes.
CREATE TABLE messages (
    mid          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text COLLATE "C" NOT NULL,
    sender       text COLLATE "C" NOT NULL,
    recipient    text COLLATE "C" NOT NULL,
    kind         text NOT NULL,
    body         text NOT NULL,
    sent_at      bigint NOT NULL,
    ref          bigint NULL,
    sid          bigint NULL,
    client       text NULL,
    conversation text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX messages_sender_id ON messages (sender, id);
CREATE INDEX messages_conversation ON messages (conversation, mid);

CREATE TABLE inbox (
    "user" text COLLATE "C" NOT NULL,
    mid    bigint NOT NULL REFERENCES messages (mid),
    PRIMARY KEY ("user", mid)
);

CREATE TABLE rooms (
    name       text COLLATE "C" PRIMARY KEY,
    created_by text NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE members (
    room      text COLLATE "C" NOT NULL REFERENCES rooms (name),
    "user"    text COLLATE "C" NOT NULL,
    joined_at bigint NOT NULL,
    PRIMARY KEY (room, "user")
);

CREATE TABLE support_sessions (
    sid       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer  text COLLATE "C" NOT NULL,
    agent     text COLLATE "C" NULL,
    opened_at bigint NOT NULL,
    closed_at bigint NULL
);
CREATE INDEX support_open_by_customer ON support_sessions (customer) WHERE closed_at IS NULL;

-- version: 2
-- Rooms by fan-out on read, membership as intervals of mids: see version 2 of ../Schema.sql.
CREATE TABLE memberships (
    room      text COLLATE "C" NOT NULL REFERENCES rooms (name),
    "user"    text COLLATE "C" NOT NULL,
    from_mid  bigint NOT NULL,
    to_mid    bigint NULL,
    joined_at bigint NOT NULL,
    PRIMARY KEY (room, "user", from_mid)
);
CREATE INDEX memberships_by_user ON memberships ("user");
CREATE UNIQUE INDEX memberships_open ON memberships (room, "user") WHERE to_mid IS NULL;
INSERT INTO memberships (room, "user", from_mid, to_mid, joined_at)
    SELECT room, "user", (SELECT coalesce(max(mid), 0) + 1 FROM messages), NULL, joined_at FROM members;
DROP TABLE members;

-- version: 3
-- The support desk (API.md §7): the same tables and columns as ../Schema.sql version 3.
ALTER TABLE support_sessions ADD COLUMN assigned_at bigint NULL;
ALTER TABLE support_sessions ADD COLUMN first_response_at bigint NULL;
ALTER TABLE support_sessions ADD COLUMN first_words text NULL;
ALTER TABLE support_sessions ADD COLUMN context text NULL;
ALTER TABLE support_sessions ADD COLUMN contact text NULL;
ALTER TABLE support_sessions ADD COLUMN offline_reason text NULL;
ALTER TABLE support_sessions ADD COLUMN rating bigint NULL;
ALTER TABLE support_sessions ADD COLUMN rating_comment text NULL;
CREATE INDEX support_queue ON support_sessions (sid) WHERE agent IS NULL AND closed_at IS NULL;
CREATE INDEX messages_sid ON messages (sid, mid) WHERE sid IS NOT NULL;

CREATE TABLE support_agents (
    agent      text COLLATE "C" PRIMARY KEY,
    away       integer NOT NULL,
    changed_at bigint NOT NULL
);

CREATE TABLE support_canned (
    shortcut   text COLLATE "C" PRIMARY KEY,
    body       text NOT NULL,
    updated_by text NOT NULL,
    updated_at bigint NOT NULL
);

CREATE TABLE desk_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    text NOT NULL,
    target     text NULL,
    event_id   text NOT NULL,
    type       text NOT NULL,
    sid        bigint NOT NULL,
    payload    text NOT NULL,
    created_at bigint NOT NULL,
    due_at     bigint NOT NULL,
    attempts   bigint NOT NULL DEFAULT 0,
    done_at    bigint NULL,
    outcome    text NULL,
    last_error text NULL
);
CREATE INDEX desk_outbox_pending ON desk_outbox (id) WHERE done_at IS NULL;

-- version: 4
-- Conversations, unread, recall and edit, files, search, blocks (API.md §8): see version 4 of ../Schema.sql.
ALTER TABLE messages ADD COLUMN recalled_at bigint NULL;
ALTER TABLE messages ADD COLUMN edited_at bigint NULL;
ALTER TABLE messages ADD COLUMN file text NULL;
CREATE INDEX messages_content ON messages (conversation, mid, kind, recalled_at) WHERE kind IN ('text', 'file') AND recalled_at IS NULL;
CREATE INDEX messages_ref ON messages (ref) WHERE ref IS NOT NULL AND kind = 'edit';

CREATE TABLE conversation_reads (
    "user"       text COLLATE "C" NOT NULL,
    conversation text COLLATE "C" NOT NULL,
    last_mid     bigint NOT NULL,
    read_up_to   bigint NOT NULL,
    PRIMARY KEY ("user", conversation)
);
ALTER TABLE rooms ADD COLUMN last_mid bigint NOT NULL DEFAULT 0;
UPDATE rooms SET last_mid = coalesce((SELECT max(mid) FROM messages WHERE conversation = '#' || rooms.name), 0);
INSERT INTO conversation_reads ("user", conversation, last_mid, read_up_to)
    SELECT i."user", m.conversation, max(m.mid), max(m.mid)
    FROM inbox i JOIN messages m ON m.mid = i.mid
    WHERE m.kind IN ('text', 'session') AND substr(m.conversation, 1, 1) <> '#'
    GROUP BY i."user", m.conversation;
INSERT INTO conversation_reads ("user", conversation, last_mid, read_up_to)
    SELECT ms."user", '#' || ms.room, 0, (SELECT coalesce(max(mid), 0) FROM messages)
    FROM memberships ms WHERE ms.to_mid IS NULL;

CREATE TABLE blocks (
    blocker    text COLLATE "C" NOT NULL,
    blocked    text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (blocker, blocked)
);

CREATE TABLE files (
    id         text COLLATE "C" PRIMARY KEY,
    owner      text COLLATE "C" NOT NULL,
    name       text NOT NULL,
    size       bigint NOT NULL,
    type       text NOT NULL,
    created_at bigint NOT NULL,
    mid        bigint NULL,
    content    bytea NULL
);
CREATE INDEX files_by_owner ON files (owner, created_at);
CREATE INDEX files_by_mid ON files (mid) WHERE mid IS NOT NULL;

-- Search: PostgreSQL full-text search over the same pairs of characters (SearchGrams), as a phrase query.
CREATE TABLE message_search (
    mid   bigint PRIMARY KEY,
    grams tsvector NOT NULL
);
CREATE INDEX message_search_grams ON message_search USING gin (grams);

-- version: 5
-- Names follow a PRECIS profile (RFC 8265) and a new name whose UTS #39 skeleton matches an existing one is
-- refused. Rows from before get their skeleton at start (NameMigration), which renames names the profile changes.
ALTER TABLE users ADD COLUMN skeleton text COLLATE "C" NULL;
CREATE INDEX users_skeleton ON users (skeleton);
ALTER TABLE rooms ADD COLUMN skeleton text COLLATE "C" NULL;
CREATE INDEX rooms_skeleton ON rooms (skeleton);

-- version: 6
-- Ids the server derives (receipt:REF:STATE, recall:MID, rating:SID) are the server's; a client message that took
-- one before clients were refused such ids gives it back (keeping its own id behind a 'client-' prefix), so the
-- real receipt, recall or rating can be stored.
UPDATE messages SET id = 'client-' || id
WHERE (substr(id, 1, 8) = 'receipt:' AND kind <> 'receipt') OR (substr(id, 1, 7) = 'recall:' AND kind <> 'recall')
   OR (substr(id, 1, 7) = 'rating:' AND kind <> 'rating');

-- version: 7
-- Ending sessions and erasing (issue 11): tokens issued before users.tokens_after (epoch ms) are void (password
-- change, log out everywhere, account deletion); single tokens revoked by logout are kept until they expire; a
-- deleted account keeps its row (its name stays taken) with deleted_at; an erased message keeps its row, mid and
-- place in every feed and history, with an empty body and erased_at (account deletion, Chat:Retention:Days).
ALTER TABLE users ADD COLUMN tokens_after bigint NULL;
ALTER TABLE users ADD COLUMN deleted_at bigint NULL;
CREATE TABLE revoked_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    "user"     text COLLATE "C" NOT NULL,
    expires_at bigint NOT NULL
);
ALTER TABLE messages ADD COLUMN erased_at bigint NULL;
CREATE INDEX messages_sent_at ON messages (sent_at) WHERE erased_at IS NULL;
