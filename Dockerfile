# The meshguard image: the executable jar on a Temurin Java 17 runtime, run as a non-root user.
#   mvn -q -DskipTests package && docker build -t meshguard:0.1.0-SNAPSHOT .
# (or, without Docker: mvn -Pjib -pl meshguard-cli -am package jib:build -Dimage=REGISTRY/meshguard)
FROM eclipse-temurin:17-jre
# numeric, so that runAsNonRoot can check it; no shell login, no home
RUN groupadd --system --gid 65532 meshguard \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin meshguard
COPY meshguard-cli/target/meshguard-all.jar /app/meshguard-all.jar
USER 65532:65532
# proxy, admin (probes, metrics, config_dump), ext_authz gRPC
EXPOSE 8080 15000 9191
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/meshguard-all.jar"]
CMD ["--help"]
