-- Hand-written: invariants Prisma's schema language cannot express.

-- A GPU is in at most one live allocation. Two transactions that both try to allocate the same GPU
-- cannot both commit: the second blocks on the first's index entry and then fails with 23505.
CREATE UNIQUE INDEX "allocations_one_live_per_gpu" ON "allocations" ("gpuId") WHERE "releasedAt" IS NULL;

-- An allocation may be released once; after that it is history.
CREATE FUNCTION "hypercell_allocations_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."releasedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'allocation % was released at % and cannot change', OLD."id", OLD."releasedAt"
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."gpuId" <> OLD."gpuId" OR NEW."kernelId" <> OLD."kernelId" OR NEW."agentId" <> OLD."agentId" THEN
    RAISE EXCEPTION 'an allocation''s GPU, kernel and agent are fixed; release it and allocate anew'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "allocations_guard" BEFORE UPDATE ON "allocations"
  FOR EACH ROW EXECUTE FUNCTION "hypercell_allocations_guard"();

-- The audit trail is append-only.
CREATE FUNCTION "hypercell_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "hypercell_audit_append_only"();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "hypercell_audit_append_only"();

-- Sanity checks on values the application also validates.
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_cluster_size_positive" CHECK ("clusterSize" >= 1);
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_priority_range" CHECK ("priority" BETWEEN 0 AND 100);
ALTER TABLE "resource_groups" ADD CONSTRAINT "resource_groups_pending_timeout_nonneg" CHECK ("pendingTimeoutSec" >= 0);
