-- Keyed events (issue 25): each event's chain hash is also authenticated by an HMAC under a key
-- kept in keys/, never in this database, so whoever can write consult.db but cannot read keys/
-- cannot append, alter or reorder an event and recompute what vouches for it. Rows written before
-- this migration are given their MAC once, when the bot first starts with the key (see
-- bot/services/eventmacs.py); from then on a missing MAC is a fault.
ALTER TABLE events ADD COLUMN mac TEXT;
-- The only update ever allowed: giving an event written before this migration its MAC, once.
DROP TRIGGER events_append_only_update;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN NOT (OLD.mac IS NULL AND NEW.mac IS NOT NULL AND NEW.seq = OLD.seq AND NEW.at = OLD.at
          AND NEW.consultation_id IS OLD.consultation_id AND NEW.type = OLD.type AND NEW.actor IS OLD.actor
          AND NEW.data = OLD.data AND NEW.prev_hash = OLD.prev_hash AND NEW.log_prev_hash = OLD.log_prev_hash
          AND NEW.hash = OLD.hash)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
