-- AlterTable
ALTER TABLE "gpus" ADD COLUMN     "nics" JSONB NOT NULL DEFAULT '[]';
