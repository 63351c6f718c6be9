-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('admin', 'auditor', 'user');

-- CreateEnum
CREATE TYPE "ProjectRole" AS ENUM ('owner', 'member');

-- CreateEnum
CREATE TYPE "ResourcePolicyScope" AS ENUM ('project', 'user');

-- CreateEnum
CREATE TYPE "AgentBackend" AS ENUM ('docker', 'kubernetes', 'kata');

-- CreateEnum
CREATE TYPE "SchedulerKind" AS ENUM ('fifo', 'lifo', 'drf');

-- CreateEnum
CREATE TYPE "AgentSelection" AS ENUM ('dispersed', 'concentrated');

-- CreateEnum
CREATE TYPE "ConfidentialPolicy" AS ENUM ('required', 'preferred', 'off');

-- CreateEnum
CREATE TYPE "AgentStatus" AS ENUM ('ALIVE', 'LOST', 'RESTARTING', 'TERMINATED');

-- CreateEnum
CREATE TYPE "ConfidentialTech" AS ENUM ('none', 'tdx', 'sev_snp');

-- CreateEnum
CREATE TYPE "IommuVerdict" AS ENUM ('safe', 'unsafe');

-- CreateEnum
CREATE TYPE "PassthroughState" AS ENUM ('ready', 'needs_vfio', 'unsafe_group', 'no_iommu');

-- CreateEnum
CREATE TYPE "SessionType" AS ENUM ('interactive', 'batch', 'inference');

-- CreateEnum
CREATE TYPE "ClusterMode" AS ENUM ('single_node', 'multi_node');

-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('PENDING', 'DEPRIORITIZING', 'RESERVED', 'SCHEDULED', 'PREPARING', 'PULLING', 'PREPARED', 'CREATING', 'RUNNING', 'RESTARTING', 'RUNNING_DEGRADED', 'PREEMPTED', 'RESCHEDULING', 'TERMINATING', 'TERMINATED', 'ERROR', 'CANCELLED');

-- CreateEnum
CREATE TYPE "KernelStatus" AS ENUM ('PENDING', 'RESERVED', 'SCHEDULED', 'PREPARING', 'BUILDING', 'PULLING', 'PREPARED', 'CREATING', 'RUNNING', 'RESTARTING', 'RESIZING', 'SUSPENDED', 'TERMINATING', 'TERMINATED', 'ERROR', 'CANCELLED');

-- CreateEnum
CREATE TYPE "SessionResult" AS ENUM ('UNDEFINED', 'SUCCESS', 'FAILURE');

-- CreateEnum
CREATE TYPE "AuditResult" AS ENUM ('success', 'denied', 'error');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailVerified" BOOLEAN NOT NULL DEFAULT false,
    "image" TEXT,
    "role" "UserRole" NOT NULL DEFAULT 'user',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "disabledAt" TIMESTAMP(3),
    "resourcePolicyId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_sessions" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "token" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "userId" TEXT NOT NULL,

    CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_accounts" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accessToken" TEXT,
    "refreshToken" TEXT,
    "idToken" TEXT,
    "accessTokenExpiresAt" TIMESTAMP(3),
    "refreshTokenExpiresAt" TIMESTAMP(3),
    "scope" TEXT,
    "password" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_verifications" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limits" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "lastRequest" BIGINT NOT NULL,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "resourcePolicyId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "project_memberships" (
    "projectId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "ProjectRole" NOT NULL DEFAULT 'member',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_memberships_pkey" PRIMARY KEY ("projectId","userId")
);

-- CreateTable
CREATE TABLE "resource_policies" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope" "ResourcePolicyScope" NOT NULL,
    "totalSlots" JSONB NOT NULL DEFAULT '{}',
    "maxConcurrentSessions" INTEGER,
    "maxPendingSessions" INTEGER,
    "maxGpusPerSession" INTEGER,
    "maxSessionLifetimeSec" INTEGER,
    "idleTimeoutSec" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "resource_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resource_groups" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "backend" "AgentBackend" NOT NULL DEFAULT 'kata',
    "scheduler" "SchedulerKind" NOT NULL DEFAULT 'fifo',
    "agentSelection" "AgentSelection" NOT NULL DEFAULT 'dispersed',
    "confidentialPolicy" "ConfidentialPolicy" NOT NULL DEFAULT 'required',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "isPublic" BOOLEAN NOT NULL DEFAULT true,
    "pendingTimeoutSec" INTEGER NOT NULL DEFAULT 0,
    "options" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "resource_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "project_resource_groups" (
    "projectId" UUID NOT NULL,
    "resourceGroupId" UUID NOT NULL,

    CONSTRAINT "project_resource_groups_pkey" PRIMARY KEY ("projectId","resourceGroupId")
);

-- CreateTable
CREATE TABLE "agents" (
    "id" VARCHAR(64) NOT NULL,
    "backend" "AgentBackend" NOT NULL DEFAULT 'docker',
    "status" "AgentStatus" NOT NULL DEFAULT 'ALIVE',
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusReason" TEXT,
    "schedulable" BOOLEAN NOT NULL DEFAULT true,
    "address" TEXT NOT NULL,
    "region" TEXT,
    "resourceGroupId" UUID,
    "availableSlots" JSONB NOT NULL DEFAULT '{}',
    "occupiedSlots" JSONB NOT NULL DEFAULT '{}',
    "hypervisor" TEXT,
    "confidentialCapability" "ConfidentialTech" NOT NULL DEFAULT 'none',
    "iommuEnabled" BOOLEAN NOT NULL DEFAULT false,
    "architecture" TEXT NOT NULL DEFAULT 'x86_64',
    "version" TEXT NOT NULL DEFAULT '',
    "computePlugins" JSONB NOT NULL DEFAULT '{}',
    "inventoryDigest" TEXT,
    "firstContactAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" TIMESTAMP(3),
    "lostAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "iommu_groups" (
    "id" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "number" INTEGER NOT NULL,
    "verdict" "IommuVerdict" NOT NULL,
    "reasons" TEXT[],

    CONSTRAINT "iommu_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pci_devices" (
    "id" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "address" TEXT NOT NULL,
    "vendorId" CHAR(4) NOT NULL,
    "deviceId" CHAR(4) NOT NULL,
    "classCode" VARCHAR(6) NOT NULL,
    "subsystemVendorId" CHAR(4),
    "subsystemDeviceId" CHAR(4),
    "driver" TEXT,
    "numaNode" INTEGER,
    "iommuGroupId" UUID,
    "parentAddress" TEXT,

    CONSTRAINT "pci_devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpus" (
    "id" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "pciAddress" TEXT NOT NULL,
    "uuid" TEXT,
    "model" TEXT NOT NULL,
    "memoryBytes" BIGINT,
    "numaNode" INTEGER,
    "iommuGroupNumber" INTEGER,
    "driver" TEXT,
    "passthrough" "PassthroughState" NOT NULL,
    "reasons" TEXT[],
    "nvlinkDomain" TEXT,
    "pcieSwitch" TEXT,
    "quarantined" BOOLEAN NOT NULL DEFAULT false,
    "quarantineReason" TEXT,

    CONSTRAINT "gpus_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "SessionType" NOT NULL DEFAULT 'interactive',
    "priority" INTEGER NOT NULL DEFAULT 10,
    "clusterMode" "ClusterMode" NOT NULL DEFAULT 'single_node',
    "clusterSize" INTEGER NOT NULL DEFAULT 1,
    "projectId" UUID NOT NULL,
    "ownerId" TEXT NOT NULL,
    "resourceGroupId" UUID NOT NULL,
    "image" TEXT NOT NULL,
    "startupCommand" TEXT,
    "requestedSlots" JSONB NOT NULL,
    "occupyingSlots" JSONB NOT NULL DEFAULT '{}',
    "vfolderMounts" JSONB NOT NULL DEFAULT '[]',
    "environ" JSONB NOT NULL DEFAULT '{}',
    "confidential" BOOLEAN NOT NULL DEFAULT true,
    "status" "SessionStatus" NOT NULL DEFAULT 'PENDING',
    "statusInfo" TEXT,
    "statusData" JSONB,
    "pendingReason" TEXT,
    "result" "SessionResult" NOT NULL DEFAULT 'UNDEFINED',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "terminatedAt" TIMESTAMP(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kernels" (
    "id" UUID NOT NULL,
    "sessionId" UUID NOT NULL,
    "clusterRole" TEXT NOT NULL DEFAULT 'main',
    "clusterIdx" INTEGER NOT NULL DEFAULT 1,
    "clusterHostname" TEXT NOT NULL DEFAULT 'main1',
    "agentId" VARCHAR(64),
    "containerId" TEXT,
    "sandboxId" TEXT,
    "image" TEXT NOT NULL,
    "requestedSlots" JSONB NOT NULL,
    "occupiedSlots" JSONB NOT NULL DEFAULT '{}',
    "attachedDevices" JSONB NOT NULL DEFAULT '{}',
    "status" "KernelStatus" NOT NULL DEFAULT 'PENDING',
    "statusInfo" TEXT,
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "terminatedAt" TIMESTAMP(3),

    CONSTRAINT "kernels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_status_history" (
    "id" BIGSERIAL NOT NULL,
    "sessionId" UUID NOT NULL,
    "fromStatus" "SessionStatus",
    "toStatus" "SessionStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_status_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kernel_status_history" (
    "id" BIGSERIAL NOT NULL,
    "kernelId" UUID NOT NULL,
    "fromStatus" "KernelStatus",
    "toStatus" "KernelStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kernel_status_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allocations" (
    "id" UUID NOT NULL,
    "kernelId" UUID NOT NULL,
    "gpuId" UUID NOT NULL,
    "agentId" VARCHAR(64) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "allocations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "persona" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT NOT NULL,
    "clientAddress" TEXT,
    "result" "AuditResult" NOT NULL,
    "message" TEXT,
    "prevHash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "auth_sessions_token_key" ON "auth_sessions"("token");

-- CreateIndex
CREATE INDEX "auth_sessions_userId_idx" ON "auth_sessions"("userId");

-- CreateIndex
CREATE INDEX "auth_accounts_userId_idx" ON "auth_accounts"("userId");

-- CreateIndex
CREATE INDEX "auth_verifications_identifier_idx" ON "auth_verifications"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "rate_limits_key_key" ON "rate_limits"("key");

-- CreateIndex
CREATE UNIQUE INDEX "projects_name_key" ON "projects"("name");

-- CreateIndex
CREATE INDEX "project_memberships_userId_idx" ON "project_memberships"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "resource_policies_name_key" ON "resource_policies"("name");

-- CreateIndex
CREATE UNIQUE INDEX "resource_groups_name_key" ON "resource_groups"("name");

-- CreateIndex
CREATE INDEX "agents_resourceGroupId_status_idx" ON "agents"("resourceGroupId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "iommu_groups_agentId_number_key" ON "iommu_groups"("agentId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "pci_devices_agentId_address_key" ON "pci_devices"("agentId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "gpus_agentId_pciAddress_key" ON "gpus"("agentId", "pciAddress");

-- CreateIndex
CREATE INDEX "sessions_projectId_status_idx" ON "sessions"("projectId", "status");

-- CreateIndex
CREATE INDEX "sessions_resourceGroupId_status_createdAt_idx" ON "sessions"("resourceGroupId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "sessions_status_idx" ON "sessions"("status");

-- CreateIndex
CREATE INDEX "kernels_sessionId_idx" ON "kernels"("sessionId");

-- CreateIndex
CREATE INDEX "kernels_agentId_status_idx" ON "kernels"("agentId", "status");

-- CreateIndex
CREATE INDEX "session_status_history_sessionId_id_idx" ON "session_status_history"("sessionId", "id");

-- CreateIndex
CREATE INDEX "kernel_status_history_kernelId_id_idx" ON "kernel_status_history"("kernelId", "id");

-- CreateIndex
CREATE INDEX "allocations_kernelId_idx" ON "allocations"("kernelId");

-- CreateIndex
CREATE INDEX "allocations_gpuId_idx" ON "allocations"("gpuId");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_occurredAt_id_idx" ON "audit_events"("occurredAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_actorId_id_idx" ON "audit_events"("actorId", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_action_id_idx" ON "audit_events"("action", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_targetType_targetId_id_idx" ON "audit_events"("targetType", "targetId", "id" DESC);

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_resourcePolicyId_fkey" FOREIGN KEY ("resourcePolicyId") REFERENCES "resource_policies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_accounts" ADD CONSTRAINT "auth_accounts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_resourcePolicyId_fkey" FOREIGN KEY ("resourcePolicyId") REFERENCES "resource_policies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_memberships" ADD CONSTRAINT "project_memberships_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_memberships" ADD CONSTRAINT "project_memberships_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_resource_groups" ADD CONSTRAINT "project_resource_groups_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_resource_groups" ADD CONSTRAINT "project_resource_groups_resourceGroupId_fkey" FOREIGN KEY ("resourceGroupId") REFERENCES "resource_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agents" ADD CONSTRAINT "agents_resourceGroupId_fkey" FOREIGN KEY ("resourceGroupId") REFERENCES "resource_groups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "iommu_groups" ADD CONSTRAINT "iommu_groups_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pci_devices" ADD CONSTRAINT "pci_devices_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pci_devices" ADD CONSTRAINT "pci_devices_iommuGroupId_fkey" FOREIGN KEY ("iommuGroupId") REFERENCES "iommu_groups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpus" ADD CONSTRAINT "gpus_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_resourceGroupId_fkey" FOREIGN KEY ("resourceGroupId") REFERENCES "resource_groups"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kernels" ADD CONSTRAINT "kernels_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kernels" ADD CONSTRAINT "kernels_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_status_history" ADD CONSTRAINT "session_status_history_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kernel_status_history" ADD CONSTRAINT "kernel_status_history_kernelId_fkey" FOREIGN KEY ("kernelId") REFERENCES "kernels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_kernelId_fkey" FOREIGN KEY ("kernelId") REFERENCES "kernels"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "gpus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
