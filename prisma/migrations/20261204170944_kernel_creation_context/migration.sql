-- AlterTable
ALTER TABLE "kernels" ADD COLUMN     "creationContext" JSONB;
