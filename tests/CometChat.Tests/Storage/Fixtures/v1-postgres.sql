CREATE TABLE public.inbox (
    "user" text NOT NULL COLLATE pg_catalog."C",
    mid bigint NOT NULL
);
CREATE TABLE public.members (
    room text NOT NULL COLLATE pg_catalog."C",
    "user" text NOT NULL COLLATE pg_catalog."C",
    joined_at bigint NOT NULL
);
CREATE TABLE public.messages (
    mid bigint NOT NULL,
    id text NOT NULL COLLATE pg_catalog."C",
    sender text NOT NULL COLLATE pg_catalog."C",
    recipient text NOT NULL COLLATE pg_catalog."C",
    kind text NOT NULL,
    body text NOT NULL,
    sent_at bigint NOT NULL,
    ref bigint,
    sid bigint,
    client text,
    conversation text NOT NULL COLLATE pg_catalog."C"
);
ALTER TABLE public.messages ALTER COLUMN mid ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.messages_mid_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.rooms (
    name text NOT NULL COLLATE pg_catalog."C",
    created_by text NOT NULL,
    created_at bigint NOT NULL
);
CREATE TABLE public.schema_version (
    version integer NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.settings (
    key text NOT NULL COLLATE pg_catalog."C",
    value text NOT NULL
);
CREATE TABLE public.support_sessions (
    sid bigint NOT NULL,
    customer text NOT NULL COLLATE pg_catalog."C",
    agent text COLLATE pg_catalog."C",
    opened_at bigint NOT NULL,
    closed_at bigint
);
ALTER TABLE public.support_sessions ALTER COLUMN sid ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.support_sessions_sid_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.users (
    name text NOT NULL COLLATE pg_catalog."C",
    password_hash text,
    created_at bigint NOT NULL
);
INSERT INTO public.inbox VALUES ('alice', 1);
INSERT INTO public.inbox VALUES ('alice', 2);
INSERT INTO public.inbox VALUES ('bob', 2);
INSERT INTO public.inbox VALUES ('alice', 3);
INSERT INTO public.inbox VALUES ('bob', 3);
INSERT INTO public.inbox VALUES ('bob', 4);
INSERT INTO public.inbox VALUES ('alice', 4);
INSERT INTO public.inbox VALUES ('alice', 5);
INSERT INTO public.inbox VALUES ('bob', 5);
INSERT INTO public.inbox VALUES ('carol', 5);
INSERT INTO public.inbox VALUES ('alice', 6);
INSERT INTO public.inbox VALUES ('bob', 6);
INSERT INTO public.inbox VALUES ('carol', 6);
INSERT INTO public.inbox VALUES ('alice', 7);
INSERT INTO public.inbox VALUES ('bob', 7);
INSERT INTO public.inbox VALUES ('carol', 7);
INSERT INTO public.inbox VALUES ('alice', 8);
INSERT INTO public.inbox VALUES ('carol', 8);
INSERT INTO public.inbox VALUES ('alice', 9);
INSERT INTO public.inbox VALUES ('alice', 10);
INSERT INTO public.inbox VALUES ('kim', 11);
INSERT INTO public.inbox VALUES ('kim', 12);
INSERT INTO public.inbox VALUES ('kim', 13);
INSERT INTO public.inbox VALUES ('ann', 13);
INSERT INTO public.inbox VALUES ('kim', 14);
INSERT INTO public.inbox VALUES ('ann', 14);
INSERT INTO public.inbox VALUES ('alice', 15);
INSERT INTO public.inbox VALUES ('bob', 15);
INSERT INTO public.members VALUES ('lobby', 'alice', 1795989866875);
INSERT INTO public.members VALUES ('lobby', 'carol', 1795989867150);
INSERT INTO public.members VALUES ('attic', 'alice', 1795989867240);
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (1, 'd404403f-2e18-41eb-9bd3-2022b7b96350', 'alice', '#lobby', 'join', 'joined', 1795989866875, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (2, '6e43f084-4f66-4536-947a-ad9bf6efcbd7', 'bob', '#lobby', 'join', 'joined', 1795989867091, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (3, 'r1', 'alice', '#lobby', 'text', 'hello room', 1795989867126, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (4, 'd1', 'bob', 'alice', 'text', 'hi alice', 1795989867138, NULL, NULL, NULL, 'alice
bob');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (5, '0e26dd66-b9c3-4772-8c80-a0666b004d2a', 'carol', '#lobby', 'join', 'joined', 1795989867150, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (6, 'r2', 'bob', '#lobby', 'text', 'bob here', 1795989867168, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (7, '47bc5850-bc01-4af2-a849-5b0221fc3e32', 'bob', '#lobby', 'leave', 'left', 1795989867211, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (8, 'r3', 'carol', '#lobby', 'text', 'carol here', 1795989867230, NULL, NULL, NULL, '#lobby');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (9, 'b3d592b1-6f85-4c10-917a-c90136e1c647', 'alice', '#attic', 'join', 'joined', 1795989867240, NULL, NULL, NULL, '#attic');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (10, 'r4', 'alice', '#attic', 'text', 'alone', 1795989867258, NULL, NULL, NULL, '#attic');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (11, 'e05ff120-1ad6-4491-b7c7-805d1f944d28', '@support', 'kim', 'session', 'queued', 1795989867268, NULL, 1, NULL, '@support
kim');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (12, 's1', 'kim', '@support', 'text', 'where is my order', 1795989867268, NULL, 1, NULL, '@support
kim');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (13, 'e752d060-a8c2-4ff9-bb7a-4e73cf39a3a1', '@support', 'kim', 'session', 'assigned to ann', 1795989867308, NULL, 1, NULL, '@support
kim');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (14, 's2', 'ann', 'kim', 'text', 'on its way', 1795989867309, NULL, 1, NULL, '@support
kim');
INSERT INTO public.messages OVERRIDING SYSTEM VALUE VALUES (15, 'receipt:4:read', 'alice', 'bob', 'receipt', 'read', 1795989867657, 4, NULL, NULL, 'alice
bob');
INSERT INTO public.rooms VALUES ('lobby', 'alice', 1795989866875);
INSERT INTO public.rooms VALUES ('attic', 'alice', 1795989867240);
INSERT INTO public.schema_version VALUES (1, '2026-11-29 22:04:24.715826+00');
INSERT INTO public.settings VALUES ('health.checkedAt', '1795989865169');
INSERT INTO public.support_sessions OVERRIDING SYSTEM VALUE VALUES (1, 'kim', 'ann', 1795989867268, NULL);
INSERT INTO public.users VALUES ('ann', 'pbkdf2-sha256$1000$iQgL6YUhGHWNzAdAcZhrcw==$oTpxXo3wD4e3mVGvOa8z+N4ZJLzF6kfyG9putn08nN8=', 1795989865316);
INSERT INTO public.users VALUES ('alice', 'pbkdf2-sha256$1000$dDBHIWpSh67mfB1Kjk51cA==$+f46+Hruj4t58aqHIwW8+RWh9S6h0gWV6NNrAwPcjhU=', 1795989865405);
INSERT INTO public.users VALUES ('bob', 'pbkdf2-sha256$1000$8wkL9WYyJT60diPbz2o2tg==$4dIRlccdRZbt+Je+CH9FrEjdSVyHBJuiXrCXGaB7/tM=', 1795989865704);
INSERT INTO public.users VALUES ('carol', 'pbkdf2-sha256$1000$/uH5whYzQpsX1djEsrbLJg==$5gthh6jC88tlytPBTWoLEXZKUxFzEf4M128BMEq7XNM=', 1795989865907);
INSERT INTO public.users VALUES ('kim', 'pbkdf2-sha256$1000$eipJErr3sKI9ndc5F8VxYA==$Et5s8yg4sGJ+WGEL3pgYSI10c+Gpa71B0N0TzEy+e0Y=', 1795989866238);
SELECT pg_catalog.setval('public.messages_mid_seq', 15, true);
SELECT pg_catalog.setval('public.support_sessions_sid_seq', 1, true);
ALTER TABLE ONLY public.inbox
    ADD CONSTRAINT inbox_pkey PRIMARY KEY ("user", mid);
ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_pkey PRIMARY KEY (room, "user");
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (mid);
ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_pkey PRIMARY KEY (name);
ALTER TABLE ONLY public.schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);
ALTER TABLE ONLY public.support_sessions
    ADD CONSTRAINT support_sessions_pkey PRIMARY KEY (sid);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (name);
CREATE INDEX messages_conversation ON public.messages USING btree (conversation, mid);
CREATE UNIQUE INDEX messages_sender_id ON public.messages USING btree (sender, id);
CREATE INDEX support_open_by_customer ON public.support_sessions USING btree (customer) WHERE (closed_at IS NULL);
ALTER TABLE ONLY public.inbox
    ADD CONSTRAINT inbox_mid_fkey FOREIGN KEY (mid) REFERENCES public.messages(mid);
ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_room_fkey FOREIGN KEY (room) REFERENCES public.rooms(name);
