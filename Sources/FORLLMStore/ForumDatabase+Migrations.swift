import GRDB

extension ForumDatabase {
    /// The schema, one migration per released version. Never edit a migration that has shipped:
    /// add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1") { db in
            // Groups are never deleted, only marked removed: their `last_number` survives so that
            // a group created again under the same name never reuses an article number that a
            // newsreader may have cached.
            try db.execute(
                sql: """
                    CREATE TABLE newsgroup (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        description TEXT NOT NULL DEFAULT '',
                        mode TEXT NOT NULL DEFAULT 'request' CHECK (mode IN ('auto', 'request', 'off')),
                        posting_allowed INTEGER NOT NULL DEFAULT 1,
                        created_at REAL NOT NULL,
                        creator TEXT NOT NULL DEFAULT 'forllm',
                        last_number INTEGER NOT NULL DEFAULT 0 CHECK (last_number >= 0),
                        article_count INTEGER NOT NULL DEFAULT 0 CHECK (article_count >= 0),
                        default_persona_id INTEGER REFERENCES persona(id) ON DELETE SET NULL,
                        default_model TEXT,
                        default_backend TEXT,
                        removed_at REAL
                    );

                    CREATE TABLE persona (
                        id INTEGER PRIMARY KEY,
                        handle TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        -- The name folded for case-insensitive uniqueness (Unicode-aware, in Swift).
                        name_key TEXT NOT NULL,
                        instructions TEXT NOT NULL,
                        model TEXT,
                        version INTEGER NOT NULL DEFAULT 1,
                        builtin INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL,
                        retired_at REAL
                    );
                    CREATE UNIQUE INDEX persona_active_name ON persona(name_key) WHERE retired_at IS NULL;

                    CREATE TABLE persona_version (
                        persona_id INTEGER NOT NULL REFERENCES persona(id) ON DELETE CASCADE,
                        version INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        handle TEXT NOT NULL,
                        instructions TEXT NOT NULL,
                        model TEXT,
                        changed_at REAL NOT NULL,
                        changed_by TEXT NOT NULL,
                        change TEXT NOT NULL,
                        article_message_id TEXT,
                        PRIMARY KEY (persona_id, version)
                    ) WITHOUT ROWID;

                    CREATE TABLE group_persona (
                        group_id INTEGER NOT NULL REFERENCES newsgroup(id) ON DELETE CASCADE,
                        persona_id INTEGER NOT NULL REFERENCES persona(id) ON DELETE CASCADE,
                        PRIMARY KEY (group_id, persona_id)
                    ) WITHOUT ROWID;

                    CREATE TABLE setting (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT
                    ) WITHOUT ROWID;

                    -- Small columns first and the body last: SQLite reads a row's columns in
                    -- order, so a large body never has to be walked to reach the overview fields.
                    CREATE TABLE article (
                        id INTEGER PRIMARY KEY,
                        message_id TEXT NOT NULL UNIQUE,
                        parent_message_id TEXT,
                        root_message_id TEXT NOT NULL,
                        arrived_at REAL NOT NULL,
                        newsgroups TEXT NOT NULL,
                        author_persona_id INTEGER REFERENCES persona(id),
                        author_persona_version INTEGER,
                        request_id INTEGER,
                        subject TEXT NOT NULL,
                        from_header TEXT NOT NULL,
                        date_header TEXT NOT NULL,
                        references_header TEXT NOT NULL,
                        xref TEXT NOT NULL,
                        bytes INTEGER NOT NULL,
                        lines INTEGER NOT NULL,
                        head BLOB NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE INDEX article_arrived_at ON article(arrived_at);
                    CREATE INDEX article_parent ON article(parent_message_id);
                    CREATE INDEX article_root ON article(root_message_id);

                    -- One row per (group, number): clustered by group and number, so an overview
                    -- range is one sequential index range scan. The overview line (without the
                    -- number) is stored here, rendered once at injection.
                    CREATE TABLE group_article (
                        group_id INTEGER NOT NULL REFERENCES newsgroup(id),
                        number INTEGER NOT NULL CHECK (number >= 1),
                        article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
                        overview BLOB NOT NULL,
                        PRIMARY KEY (group_id, number)
                    ) WITHOUT ROWID;
                    CREATE INDEX group_article_article ON group_article(article_id);

                    -- A request: persona P answers article A (or: generate personas for a group).
                    CREATE TABLE request (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'generate_personas')),
                        status TEXT NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
                        article_id INTEGER REFERENCES article(id) ON DELETE SET NULL,
                        message_id TEXT,
                        group_name TEXT NOT NULL,
                        persona_id INTEGER REFERENCES persona(id),
                        persona_version INTEGER,
                        requested_model TEXT,
                        requested_backend TEXT,
                        model TEXT,
                        backend TEXT,
                        chain TEXT NOT NULL DEFAULT '',
                        turn INTEGER NOT NULL DEFAULT 0,
                        params TEXT NOT NULL DEFAULT '{}',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        not_before REAL,
                        error TEXT,
                        progress_chars INTEGER NOT NULL DEFAULT 0,
                        answer_message_id TEXT,
                        created_at REAL NOT NULL,
                        started_at REAL,
                        finished_at REAL,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX request_queue ON request(status, not_before, id);
                    CREATE INDEX request_article ON request(article_id);

                    CREATE TABLE schedule_window (
                        id INTEGER PRIMARY KEY,
                        days TEXT NOT NULL,
                        start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
                        end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
                        enabled INTEGER NOT NULL DEFAULT 1,
                        created_at REAL NOT NULL
                    );
                    """
            )
        }

        migrator.registerMigration("v1-seed") { db in
            try ForumDatabase.seed(db)
        }

        // Since when a request has been waiting for a backend that cannot be reached (such
        // tries do not count as attempts; the wait has its own limit).
        migrator.registerMigration("v2-waiting-since") { db in
            try db.execute(sql: "ALTER TABLE request ADD COLUMN waiting_since REAL")
        }

        // What the worker had to do to an answer: why it was cut (the `X-FORLLM-Truncated`
        // value) and what it removed from the model's text, for `forllm queue show`.
        migrator.registerMigration("v3-answer-notes") { db in
            try db.execute(sql: "ALTER TABLE request ADD COLUMN truncated TEXT")
            try db.execute(sql: "ALTER TABLE request ADD COLUMN cleaned TEXT")
        }

        // Maildir delivery: one row per copy of an article in a group's Maildir.
        migrator.registerMigration("v4-delivery", migrate: ForumDatabase.createDeliveryTable)

        // The article number up to which the deliverer has made sure every article of a
        // delivered group has its delivery (ForumDatabase+Deliveries: deliveries a process
        // without the mail configuration did not queue). NULL: not delivered, or not looked at.
        migrator.registerMigration("v5-delivered-through") { db in
            try db.execute(sql: "ALTER TABLE newsgroup ADD COLUMN delivered_through INTEGER")
        }

        // The readers who log in, with the addresses each may post with.
        migrator.registerMigration("v6-users", migrate: ForumDatabase.createUserTables)

        // What each answer's generation cost (X-FORLLM-Usage), for forllm queue show.
        migrator.registerMigration("v7-usage") { db in
            for column in [
                "usage_prompt_tokens INTEGER", "usage_cached_tokens INTEGER", "usage_completion_tokens INTEGER",
                "usage_first_token_ms INTEGER", "usage_total_ms INTEGER", "usage_rate REAL"
            ] {
                try db.execute(sql: "ALTER TABLE request ADD COLUMN \(column)")
            }
        }

        // The queue's order for the hardware (FORLLMWorker, QueueOrder): how often a request was
        // passed over by a later one, and what each backend ran last (its loaded model, the
        // thread whose prompt its cache holds).
        migrator.registerMigration("v8-queue-order") { db in
            try db.execute(sql: "ALTER TABLE request ADD COLUMN passed_over INTEGER NOT NULL DEFAULT 0")
            try db.execute(
                sql: """
                    CREATE TABLE backend_state (
                        backend TEXT PRIMARY KEY NOT NULL,
                        model TEXT NOT NULL,
                        root_message_id TEXT,
                        persona_id INTEGER,
                        updated_at REAL NOT NULL
                    ) WITHOUT ROWID
                    """
            )
        }

        // Votes on persona answers (X-FORLLM-Vote, or a bare +1/-1 follow-up), for forllm persona stats.
        migrator.registerMigration("v9-votes", migrate: ForumDatabase.createVoteTable)

        // Full-text search: the FTS5 index, the forllm.search group, the older articles to index.
        migrator.registerMigration("v10-search", migrate: ForumDatabase.createSearchIndex)

        // Summaries and regenerate (issue 10): what a request asks for (`task`), and the done
        // request whose answer a new one regenerates (`regenerates`).
        migrator.registerMigration("v11-request-task-regenerates", migrate: ForumDatabase.addTaskAndRegenerates)

        // Conversation between personas (issue 10): groups whose personas debate on their own.
        migrator.registerMigration("v12-group-debate", migrate: ForumDatabase.addGroupDebate)

        // forllm.status: the group, and the status article posted for each request.
        migrator.registerMigration("v13-status", migrate: ForumDatabase.createStatusTables)

        // The search index written in batches from a queue, not by each article's transaction.
        migrator.registerMigration("v14-search-pending", migrate: ForumDatabase.queueSearchIndex)

        return migrator
    }
}
