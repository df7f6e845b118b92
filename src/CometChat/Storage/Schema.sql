-- The CometChat schema. Each "-- version: N" section migrates a database at user_version N-1 to N;
-- sections only ever get appended, never edited.

-- version: 1
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NULL,          -- NULL: created by a minted token; nobody can claim it by /api/login
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- mid is the feed cursor: AUTOINCREMENT so a mid is never reused, even after deletes.
CREATE TABLE messages (
    mid          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,       -- the sender's idempotency key
    sender       TEXT NOT NULL,
    recipient    TEXT NOT NULL,       -- user, #room or @support
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    sent_at      INTEGER NOT NULL,
    ref          INTEGER NULL,
    sid          INTEGER NULL,
    client       TEXT NULL,           -- the sending tab, never on the wire
    conversation TEXT NOT NULL        -- history key: "a\nb" (sorted pair), "#room" or "@support\ncustomer"
);
CREATE UNIQUE INDEX messages_sender_id ON messages (sender, id);
CREATE INDEX messages_conversation ON messages (conversation, mid);

-- Fan-out on write: a user's feed is exactly their inbox rows, decided inside the sending transaction
-- (so "a room message while a member" is settled by the same commit that orders it).
CREATE TABLE inbox (
    user TEXT NOT NULL,
    mid  INTEGER NOT NULL REFERENCES messages (mid),
    PRIMARY KEY (user, mid)
) WITHOUT ROWID;

CREATE TABLE rooms (
    name       TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
    room      TEXT NOT NULL REFERENCES rooms (name),
    user      TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room, user)
) WITHOUT ROWID;

CREATE TABLE support_sessions (
    sid       INTEGER PRIMARY KEY AUTOINCREMENT,
    customer  TEXT NOT NULL,
    agent     TEXT NULL,              -- NULL while queued for an agent
    opened_at INTEGER NOT NULL,
    closed_at INTEGER NULL
);
CREATE INDEX support_open_by_customer ON support_sessions (customer) WHERE closed_at IS NULL;

-- version: 2
-- Rooms by fan-out on read: a room message is stored once (no inbox rows) and its members read it from the
-- room's timeline (messages_conversation). Membership is kept as intervals of mids: a member reads the room
-- messages with from_mid <= mid <= to_mid, where from_mid is the mid of their join message and to_mid that of
-- their leave message (NULL while still a member). Both are written in the transaction that stores the join or
-- leave, so "a message reaches exactly the members at the moment it commits" is settled by that one commit.
-- Direct and support messages keep their inbox rows (two or three per message, and support recipients change
-- with transfers). Members from version 1 start after the last v1 mid: every older room message already has
-- its inbox rows, so nothing is read twice and nothing is lost.
CREATE TABLE memberships (
    room      TEXT NOT NULL REFERENCES rooms (name),
    user      TEXT NOT NULL,
    from_mid  INTEGER NOT NULL,
    to_mid    INTEGER NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room, user, from_mid)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships (user);
CREATE UNIQUE INDEX memberships_open ON memberships (room, user) WHERE to_mid IS NULL;
INSERT INTO memberships (room, user, from_mid, to_mid, joined_at)
    SELECT room, user, (SELECT COALESCE(MAX(mid), 0) + 1 FROM messages), NULL, joined_at FROM members;
DROP TABLE members;

-- version: 3
-- The support desk (API.md §7): what a session needs beyond its assignment, the agents' away switch,
-- canned responses, and the outbox of webhook deliveries and reply emails, each row written in the same
-- transaction as the change it reports.
ALTER TABLE support_sessions ADD COLUMN assigned_at INTEGER NULL;        -- first assignment: the wait ends
ALTER TABLE support_sessions ADD COLUMN first_response_at INTEGER NULL;  -- first agent reply
ALTER TABLE support_sessions ADD COLUMN first_words TEXT NULL;           -- the opening message, shortened, for the queue
ALTER TABLE support_sessions ADD COLUMN context TEXT NULL;               -- {"visitor":{...},"site":{...}}
ALTER TABLE support_sessions ADD COLUMN contact TEXT NULL;               -- the customer's email address, if they left one
ALTER TABLE support_sessions ADD COLUMN offline_reason TEXT NULL;        -- the last offline notice sent
ALTER TABLE support_sessions ADD COLUMN rating INTEGER NULL;
ALTER TABLE support_sessions ADD COLUMN rating_comment TEXT NULL;
CREATE INDEX support_queue ON support_sessions (sid) WHERE agent IS NULL AND closed_at IS NULL;
CREATE INDEX messages_sid ON messages (sid, mid) WHERE sid IS NOT NULL;

CREATE TABLE support_agents (
    agent      TEXT PRIMARY KEY,
    away       INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE support_canned (
    shortcut   TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE desk_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,       -- 'webhook' or 'email'
    target     TEXT NULL,           -- the webhook URL; NULL for email (the session's contact when it is sent)
    event_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    sid        INTEGER NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    done_at    INTEGER NULL,
    outcome    TEXT NULL,           -- delivered, skipped: ..., gave up: ...
    last_error TEXT NULL
);
CREATE INDEX desk_outbox_pending ON desk_outbox (id) WHERE done_at IS NULL;

-- version: 4
-- Conversations, unread, recall and edit, files, search, blocks (API.md §8).
-- A recalled message keeps its row, mid and place in every feed with an empty body and no file (recalled_at);
-- an edited one holds its latest body (edited_at). A file message carries its file as the wire's JSON object.
ALTER TABLE messages ADD COLUMN recalled_at INTEGER NULL;
ALTER TABLE messages ADD COLUMN edited_at INTEGER NULL;
ALTER TABLE messages ADD COLUMN file TEXT NULL;
-- Unread counts are counted over this alone (it covers the count): the text and file messages of a conversation, recalled ones left out.
CREATE INDEX messages_content ON messages (conversation, mid, kind, recalled_at) WHERE kind IN ('text', 'file') AND recalled_at IS NULL;
-- Edits and recalls name their original in ref: a recall finds the edits whose bodies it erases.
CREATE INDEX messages_ref ON messages (ref) WHERE ref IS NOT NULL AND kind = 'edit';

-- One row per user and conversation (how the user names it and its kind follow from the key): direct and support threads (written with each of their messages, last_mid
-- their newest), rooms (written at the join with read_up_to at the join's mid, deleted at the leave; a room's
-- newest message is rooms.last_mid, one write per room message whatever the member count). read_up_to never
-- moves back; a user's own message moves theirs to it.
CREATE TABLE conversation_reads (
    user         TEXT NOT NULL,
    conversation TEXT NOT NULL,       -- the history key (messages.conversation)
    last_mid     INTEGER NOT NULL,
    read_up_to   INTEGER NOT NULL,
    PRIMARY KEY (user, conversation)
) WITHOUT ROWID;
ALTER TABLE rooms ADD COLUMN last_mid INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET last_mid = COALESCE((SELECT MAX(mid) FROM messages WHERE conversation = '#' || rooms.name), 0);
-- Conversations from before: everything in them counts as read.
INSERT INTO conversation_reads (user, conversation, last_mid, read_up_to)
    SELECT i.user, m.conversation, MAX(m.mid), MAX(m.mid)
    FROM inbox i JOIN messages m ON m.mid = i.mid
    WHERE m.kind IN ('text', 'session') AND substr(m.conversation, 1, 1) <> '#'
    GROUP BY i.user, m.conversation;
INSERT INTO conversation_reads (user, conversation, last_mid, read_up_to)
    SELECT ms.user, '#' || ms.room, 0, (SELECT COALESCE(MAX(mid), 0) FROM messages)
    FROM memberships ms WHERE ms.to_mid IS NULL;

CREATE TABLE blocks (
    blocker    TEXT NOT NULL,
    blocked    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker, blocked)
) WITHOUT ROWID;

-- Uploaded files; content is NULL when Chat:Files:Folder keeps it. mid: the one message that carries the file.
CREATE TABLE files (
    id         TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    type       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    mid        INTEGER NULL,
    content    BLOB NULL
);
CREATE INDEX files_by_owner ON files (owner, created_at);
CREATE INDEX files_by_mid ON files (mid) WHERE mid IS NOT NULL;

-- Search: FTS5 over the pairs of characters of each text and file message's body (SearchGrams), rowid = mid.
-- Contentless (the body is not copied), deletable (contentless_delete) and with secure-delete on, so a recalled
-- message's entry is removed from the index itself, not hidden behind a delete marker.
CREATE VIRTUAL TABLE message_search USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');
INSERT INTO message_search (message_search, rank) VALUES ('secure-delete', 1);

-- version: 5
-- Names follow a PRECIS profile (RFC 8265) and a new name whose UTS #39 skeleton matches an existing one is
-- refused. Rows from before get their skeleton at start (NameMigration), which renames names the profile
-- changes, so nothing they sent or received is lost.
ALTER TABLE users ADD COLUMN skeleton TEXT NULL;
CREATE INDEX users_skeleton ON users (skeleton);
ALTER TABLE rooms ADD COLUMN skeleton TEXT NULL;
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
ALTER TABLE users ADD COLUMN tokens_after INTEGER NULL;
ALTER TABLE users ADD COLUMN deleted_at INTEGER NULL;
CREATE TABLE revoked_tokens (
    token_hash TEXT PRIMARY KEY,      -- SHA-256 of the token, base64url
    user       TEXT NOT NULL,
    expires_at INTEGER NOT NULL       -- the token's exp (epoch ms): the row is useless after it
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN erased_at INTEGER NULL;
CREATE INDEX messages_sent_at ON messages (sent_at) WHERE erased_at IS NULL;
