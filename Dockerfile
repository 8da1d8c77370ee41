# The image a shard of a sharded run starts from (see docs/many-machines.md):
# Node 24 (the newest LTS) and loadproof, run as a user that is not root.
#   npm pack && docker build --build-arg TARBALL=loadproof-0.1.0.tgz -t loadproof:0.1.0 .
FROM node:24-bookworm-slim
ARG TARBALL=loadproof.tgz
COPY ${TARBALL} /tmp/loadproof.tgz
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/loadproof.tgz \
 && rm /tmp/loadproof.tgz \
 && npm cache clean --force
# The node image's own unprivileged user (uid 1000), which the Job's securityContext names.
USER node
WORKDIR /plan
ENTRYPOINT ["loadproof"]
