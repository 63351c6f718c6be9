-- CreateEnum
CREATE TYPE "SchedulingResult" AS ENUM ('SUCCESS', 'NEED_RETRY', 'EXPIRED', 'GIVE_UP', 'SKIPPED');

-- CreateTable
CREATE TABLE "session_scheduling_history" (
    "id" BIGSERIAL NOT NULL,
    "sessionId" UUID NOT NULL,
    "phase" TEXT NOT NULL,
    "agentId" VARCHAR(64),
    "fromStatus" "SessionStatus",
    "toStatus" "SessionStatus",
    "result" "SchedulingResult" NOT NULL,
    "errorCode" TEXT,
    "message" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_scheduling_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_scheduling_history_sessionId_id_idx" ON "session_scheduling_history"("sessionId", "id");

-- AddForeignKey
ALTER TABLE "session_scheduling_history" ADD CONSTRAINT "session_scheduling_history_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
