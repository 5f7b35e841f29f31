// Per-call cost of the Kotlin SDK's sign of the core benchmark's POST 1 KiB request beside the
// JDK's own javax.crypto.Mac HMAC-SHA256 + SHA-256 of the same bytes, in one JVM run (issue 17
// parts 4 and 5). A single-file Java program over the SDK jar, so no Kotlin compiler is needed:
//
//   java -cp sigwire-kotlin-0.1.0.jar:<its Maven classpath> sdk-kotlin/bench/KotlinSignBench.java [ms]
//
// scripts/bench.d/kotlin.sh runs it against a release library. The request is core/benches/
// sign_verify.rs's post_1k_json: POST https://api.example.com/v1/orders, Content-Type:
// application/json, a 1,024-byte JSON body. Each case warms up, then batches of 200 calls run
// interleaved with the baseline round by round until the time is spent; the fastest batch of each
// is kept (other processes only ever add time). Prints a table and scripts/bench ROW lines; never
// asserts a timing.

import dev.sigwire.FastSigner;
import dev.sigwire.Header;
import dev.sigwire.SigwireRequest;
import dev.sigwire.Signer;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.IntSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class KotlinSignBench {
    /** Keeps results alive so the JIT cannot drop the measured work. */
    static long sink;

    /** The core benchmark's 1,024-byte JSON body. */
    static byte[] post1kBody() {
        StringBuilder json = new StringBuilder("{\"items\":[");
        while (json.length() < 1000) json.append("{\"sku\":\"A-1001\",\"qty\":2},");
        json.setLength(json.length() - 1);
        json.append("]}");
        while (json.length() < 1024) json.insert(json.length() - 1, ' ');
        return json.toString().getBytes();
    }

    /** A call that declares a checked exception (the SDK's typed errors), rethrown unchecked. */
    interface Call { String run() throws Exception; }

    static String unchecked(Call call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Nanoseconds per call of one batch of `n` calls. */
    static double batch(IntSupplier op, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) sink += op.getAsInt();
        return (System.nanoTime() - start) / (double) n;
    }

    public static void main(String[] args) throws Exception {
        long millis = args.length > 0 ? Long.parseLong(args[0]) : 2000;
        byte[] secret = "bench-secret-0123456789abcdef012".getBytes();
        byte[] body = post1kBody();
        SigwireRequest request = new SigwireRequest(
            "POST", "https://api.example.com/v1/orders", List.of(new Header("Content-Type", "application/json")), body);
        // Every constructor argument spelled out (Java sees no Kotlin defaults): the defaults.
        Signer signer = new Signer("bench-key", secret, "hmac-sha256", List.<String>of(), "listed");
        FastSigner fast = new FastSigner("bench-key", secret, "hmac-sha256", List.<String>of());
        // The canonical string of a live signature: the bytes Sigwire MACs (same length every call).
        byte[] canonical = signer.sign(request).getCanonicalString().getBytes();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");

        String[] names = {
            "jdk Mac + SHA-256 (baseline)",
            "FastSigner.authorization (one direct call)",
            "Signer.signAuthorization (UniFFI)",
            "Signer.sign (UniFFI, all fields)",
        };
        IntSupplier[] ops = {
            () -> sha.digest(body)[0] + mac.doFinal(canonical)[0],
            () -> fast.authorization(request).length(),
            () -> unchecked(() -> signer.signAuthorization(request)).length(),
            () -> unchecked(() -> signer.sign(request).getAuthorization()).length(),
        };
        // Warm-up per case: 60,000 calls (the JIT's optimising compiler needs tens of thousands;
        // on a busy machine the JDK's own first 20,000 MACs ran at ~100 µs each), or at most the
        // time budget for the slow cases.
        for (IntSupplier op : ops) {
            long warmUntil = System.nanoTime() + millis * 1_000_000L;
            for (int calls = 0; calls < 60_000 && System.nanoTime() < warmUntil; calls += 200) batch(op, 200);
        }
        double[] best = new double[ops.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int rounds = 0;
        while (System.nanoTime() < deadline || rounds < 20) {
            for (int k = 0; k < ops.length; k++) best[k] = Math.min(best[k], batch(ops[k], 200));
            rounds++;
        }
        Package jna = com.sun.jna.Native.class.getPackage();
        System.out.printf("Kotlin SDK sign, POST 1 KiB JSON (body %d B, canonical %d B); JVM %s, JNA %s; %d rounds%n",
            body.length, canonical.length, System.getProperty("java.vm.version"), jna.getImplementationVersion(), rounds);
        for (int k = 0; k < ops.length; k++) {
            System.out.printf("  %-44s %9.2f µs  %6.2fx baseline%n", names[k], best[k] / 1000, best[k] / best[0]);
        }
        String base = String.format("javax.crypto.Mac + SHA-256 %.2f µs", best[0] / 1000);
        String[] targets = {"", "<= 10 µs", "-", "-"};
        for (int k = 1; k < ops.length; k++) {
            System.out.printf("ROW\tkotlin\tsign, post_1k_json: %s\t%.2f µs\t%s\t%.2fx\t%s%n",
                names[k], best[k] / 1000, base, best[k] / best[0], targets[k]);
        }
        fast.close();
        signer.close();
    }
}
