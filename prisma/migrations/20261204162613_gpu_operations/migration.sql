-- CreateEnum
CREATE TYPE "GpuOperationKind" AS ENUM ('bind', 'unbind');

-- CreateEnum
CREATE TYPE "GpuOperationStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'rolled_back');

-- CreateTable
CREATE TABLE "gpu_operations" (
    "id" UUID NOT NULL,
    "gpuId" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "kind" "GpuOperationKind" NOT NULL,
    "status" "GpuOperationStatus" NOT NULL DEFAULT 'pending',
    "requestedBy" TEXT,
    "requestId" TEXT NOT NULL,
    "message" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "gpu_operations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gpu_operations_status_createdAt_idx" ON "gpu_operations"("status", "createdAt");

-- CreateIndex
CREATE INDEX "gpu_operations_gpuId_createdAt_idx" ON "gpu_operations"("gpuId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "gpu_operations" ADD CONSTRAINT "gpu_operations_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "gpus"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_operations" ADD CONSTRAINT "gpu_operations_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: at most one bind/unbind in flight per GPU.
CREATE UNIQUE INDEX "gpu_operations_one_active_per_gpu" ON "gpu_operations" ("gpuId") WHERE "status" IN ('pending', 'running');
