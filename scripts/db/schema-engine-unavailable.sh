#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded on our machines.
# `prisma generate` only needs this path to exist; commands that need the engine end here.
echo "Prisma's native schema engine is not available on this machine." >&2
echo "Apply migrations with 'npm run db:migrate'; author one with 'npm run db:new-migration -- <name>'." >&2
exit 1
