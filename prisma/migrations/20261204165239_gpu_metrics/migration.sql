-- CreateTable
CREATE TABLE "gpu_metric_samples" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "sessionId" UUID NOT NULL,
    "kernelId" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "gpuIndex" SMALLINT NOT NULL,
    "gpuUuid" TEXT,
    "pciAddress" TEXT NOT NULL,
    "util" REAL,
    "fbUsed" REAL,
    "fbFree" REAL,
    "temp" REAL,
    "power" REAL,
    "smClock" REAL,
    "memClock" REAL,
    "nvlinkTx" REAL,
    "nvlinkRx" REAL,
    "pcieTx" REAL,
    "pcieRx" REAL,
    "xid" INTEGER,

    CONSTRAINT "gpu_metric_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_metric_rollups" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "samples" SMALLINT NOT NULL,
    "sessionId" UUID NOT NULL,
    "kernelId" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "gpuIndex" SMALLINT NOT NULL,
    "gpuUuid" TEXT,
    "pciAddress" TEXT NOT NULL,
    "util" REAL,
    "fbUsed" REAL,
    "fbFree" REAL,
    "temp" REAL,
    "power" REAL,
    "smClock" REAL,
    "memClock" REAL,
    "nvlinkTx" REAL,
    "nvlinkRx" REAL,
    "pcieTx" REAL,
    "pcieRx" REAL,
    "xid" INTEGER,

    CONSTRAINT "gpu_metric_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_alerts" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "key" TEXT NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "sessionId" UUID,
    "kernelId" UUID,
    "gpuId" UUID,
    "gpuUuid" TEXT,
    "pciAddress" TEXT,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "xid" INTEGER,
    "action" TEXT NOT NULL,
    "recommendQuarantine" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT NOT NULL,
    "acknowledged" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "gpu_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gpu_metric_samples_sessionId_at_idx" ON "gpu_metric_samples"("sessionId", "at");

-- CreateIndex
CREATE INDEX "gpu_metric_samples_agentId_at_idx" ON "gpu_metric_samples"("agentId", "at");

-- CreateIndex
CREATE INDEX "gpu_metric_samples_at_idx" ON "gpu_metric_samples" USING BRIN ("at");

-- CreateIndex
CREATE INDEX "gpu_metric_rollups_sessionId_bucket_idx" ON "gpu_metric_rollups"("sessionId", "bucket");

-- CreateIndex
CREATE INDEX "gpu_metric_rollups_agentId_bucket_idx" ON "gpu_metric_rollups"("agentId", "bucket");

-- CreateIndex
CREATE INDEX "gpu_metric_rollups_bucket_idx" ON "gpu_metric_rollups" USING BRIN ("bucket");

-- CreateIndex
CREATE UNIQUE INDEX "gpu_metric_rollups_kernelId_pciAddress_bucket_key" ON "gpu_metric_rollups"("kernelId", "pciAddress", "bucket");

-- CreateIndex
CREATE INDEX "gpu_alerts_at_idx" ON "gpu_alerts"("at" DESC);

-- CreateIndex
CREATE INDEX "gpu_alerts_agentId_at_idx" ON "gpu_alerts"("agentId", "at" DESC);

-- CreateIndex
CREATE INDEX "gpu_alerts_sessionId_at_idx" ON "gpu_alerts"("sessionId", "at" DESC);

-- CreateIndex
CREATE INDEX "gpu_alerts_key_at_idx" ON "gpu_alerts"("key", "at" DESC);

-- AddForeignKey
ALTER TABLE "gpu_alerts" ADD CONSTRAINT "gpu_alerts_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_alerts" ADD CONSTRAINT "gpu_alerts_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_alerts" ADD CONSTRAINT "gpu_alerts_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "gpus"("id") ON DELETE SET NULL ON UPDATE CASCADE;
