// Kotlin-SDK part of tests/redis-cross (run by ./run in the JDK's single-file source mode).
//
// Requests signed by the Kotlin SDK's Signer (dev.sigwire.Signer: the UniFFI binding of the Rust
// core; the SDK's classes are plain JVM classes, so Java calls them directly) and sent with the
// JDK's java.net.http client, each to every gateway instance at the same time: exactly one
// instance accepts each nonce, every other answers 401 replayed_nonce. Then the last accepted
// request is replayed to the first instance and refused. Client checks only (check 3 of the
// README's interface): the Kotlin SDK ships no Redis replay store.

import dev.sigwire.Header;
import dev.sigwire.Signer;
import dev.sigwire.SigwireRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public class Cross {
    static final String HOST = "api.cross.test"; // the signed host; every instance is sent it
    static final int ROUNDS = 5;

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("redis-cross/kotlin: " + name + " is not set (run tests/redis-cross/run)");
        }
        return v;
    }

    record Signed(String path, byte[] body, String authorization) {}

    static Signed signed(Signer signer, String path) throws Exception {
        byte[] body = ("{\"path\":\"" + path + "\",\"runtime\":\"kotlin\",\"at\":" + System.currentTimeMillis() + "}")
            .getBytes(StandardCharsets.UTF_8);
        SigwireRequest request = new SigwireRequest("POST", "http://" + HOST + path,
            List.of(new Header("Content-Type", "application/json")), body);
        return new Signed(path, body, signer.signAuthorization(request));
    }

    static CompletableFuture<HttpResponse<String>> send(HttpClient client, String base, Signed s) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + s.path()))
            .timeout(Duration.ofSeconds(10))
            .header("Host", HOST)
            .header("Content-Type", "application/json")
            .header("Authorization", s.authorization())
            .POST(HttpRequest.BodyPublishers.ofByteArray(s.body()))
            .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    public static void main(String[] args) throws Exception {
        String keyId = env("SIGWIRE_KEY_ID");
        byte[] secret = env("SIGWIRE_SECRET").getBytes(StandardCharsets.UTF_8);
        List<String> gateways = List.of(env("SIGWIRE_GATEWAY_URLS").trim().split("\\s+"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        List<String> failures = new ArrayList<>();
        Signed last = null;
        try (Signer signer = new Signer(keyId, secret, "hmac-sha256", List.of(), "listed")) {
            for (int i = 0; i < ROUNDS; i++) {
                Signed s = signed(signer, "/cross/kotlin/cluster/" + i);
                last = s;
                List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
                for (String g : gateways) inFlight.add(send(client, g, s));
                int accepted = 0, replayed = 0;
                List<Integer> statuses = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                    HttpResponse<String> r = f.get();
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 200 && r.body().contains("upstream ok " + keyId)) accepted++;
                    if (r.statusCode() == 401 && r.body().contains("replayed_nonce")) replayed++;
                }
                boolean ok = accepted == 1 && replayed == gateways.size() - 1;
                System.out.printf("  %s Kotlin-SDK request %d sent to %d instances at once: %d accepted, %d replayed_nonce %s%n",
                    ok ? "ok  " : "FAIL", i, gateways.size(), accepted, replayed, statuses);
                if (!ok) failures.add("cluster request " + i);
            }
        }
        HttpResponse<String> again = send(client, gateways.get(0), last).get();
        boolean refused = again.statusCode() == 401 && again.body().contains("replayed_nonce");
        System.out.printf("  %s the last request replayed later: %d %s%n", refused ? "ok  " : "FAIL",
            again.statusCode(), again.body().length() > 60 ? again.body().substring(0, 60) : again.body());
        if (!refused) failures.add("later replay");
        if (!failures.isEmpty()) {
            System.err.println("redis-cross/kotlin: " + failures.size() + " check(s) failed: " + failures);
            System.exit(1);
        }
        System.out.println("redis-cross/kotlin: all checks held");
    }
}
