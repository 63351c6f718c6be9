-- CreateTable
CREATE TABLE "storage_volumes" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "fsType" TEXT NOT NULL,
    "mountpoint" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "storage_volumes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vfolders" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "projectId" UUID NOT NULL,
    "volumeId" UUID NOT NULL,
    "hostPath" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vfolders_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "storage_volumes_name_key" ON "storage_volumes"("name");

-- CreateIndex
CREATE UNIQUE INDEX "storage_volumes_mountpoint_key" ON "storage_volumes"("mountpoint");

-- CreateIndex
CREATE UNIQUE INDEX "vfolders_hostPath_key" ON "vfolders"("hostPath");

-- CreateIndex
CREATE UNIQUE INDEX "vfolders_projectId_name_key" ON "vfolders"("projectId", "name");

-- AddForeignKey
ALTER TABLE "vfolders" ADD CONSTRAINT "vfolders_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vfolders" ADD CONSTRAINT "vfolders_volumeId_fkey" FOREIGN KEY ("volumeId") REFERENCES "storage_volumes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vfolders" ADD CONSTRAINT "vfolders_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
