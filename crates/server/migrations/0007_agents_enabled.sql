-- Whether a pool's agents may connect: the vendor's `detach-agents` turns
-- it off (active agents are disconnected, new ones refused), and
-- `enable-agents` turns it on again. Access decisions do not read it.
ALTER TABLE agent_pools ADD COLUMN agents_enabled INTEGER NOT NULL DEFAULT 1;
