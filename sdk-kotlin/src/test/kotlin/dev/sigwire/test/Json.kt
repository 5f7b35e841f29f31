// A small strict JSON reader for the shared vectors (the test program has no dependencies).
package dev.sigwire.test

/** A parsed JSON number, kept as its text so that 64-bit integers stay exact. */
data class JsonNumber(val text: String) {
    /** The number as an unsigned 64-bit integer. */
    fun toULong(): ULong = text.toULong()
    /** The number as a signed 64-bit integer. */
    fun toLong(): Long = text.toLong()
}

/** Parses [text]: objects become `Map<String, Any?>`, arrays `List<Any?>`, numbers [JsonNumber]. */
fun parseJson(text: String): Any? = JsonReader(text).readDocument()

private class JsonReader(private val s: String) {
    private var i = 0

    fun readDocument(): Any? {
        val value = readValue()
        skipWhitespace()
        if (i != s.length) fail("trailing characters")
        return value
    }

    private fun fail(what: String): Nothing = throw IllegalArgumentException("JSON: $what at offset $i")

    private fun skipWhitespace() {
        while (i < s.length && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++
    }

    private fun readValue(): Any? {
        skipWhitespace()
        if (i >= s.length) fail("unexpected end")
        return when (s[i]) {
            '{' -> readObject()
            '[' -> readArray()
            '"' -> readString()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> readNumber()
        }
    }

    private fun literal(word: String, value: Any?): Any? {
        if (!s.startsWith(word, i)) fail("bad literal")
        i += word.length
        return value
    }

    private fun readObject(): Map<String, Any?> {
        val out = LinkedHashMap<String, Any?>()
        i++ // {
        skipWhitespace()
        if (i < s.length && s[i] == '}') { i++; return out }
        while (true) {
            skipWhitespace()
            if (i >= s.length || s[i] != '"') fail("expected a key")
            val key = readString()
            skipWhitespace()
            if (i >= s.length || s[i] != ':') fail("expected ':'")
            i++
            out[key] = readValue()
            skipWhitespace()
            if (i >= s.length) fail("unterminated object")
            when (s[i++]) {
                ',' -> continue
                '}' -> return out
                else -> fail("expected ',' or '}'")
            }
        }
    }

    private fun readArray(): List<Any?> {
        val out = ArrayList<Any?>()
        i++ // [
        skipWhitespace()
        if (i < s.length && s[i] == ']') { i++; return out }
        while (true) {
            out.add(readValue())
            skipWhitespace()
            if (i >= s.length) fail("unterminated array")
            when (s[i++]) {
                ',' -> continue
                ']' -> return out
                else -> fail("expected ',' or ']'")
            }
        }
    }

    private fun readString(): String {
        i++ // opening quote
        val sb = StringBuilder()
        while (true) {
            if (i >= s.length) fail("unterminated string")
            val c = s[i++]
            when {
                c == '"' -> return sb.toString()
                c == '\\' -> {
                    if (i >= s.length) fail("bad escape")
                    when (val e = s[i++]) {
                        '"' -> sb.append('"')
                        '\\' -> sb.append('\\')
                        '/' -> sb.append('/')
                        'b' -> sb.append('\b')
                        'f' -> sb.append('\u000C')
                        'n' -> sb.append('\n')
                        'r' -> sb.append('\r')
                        't' -> sb.append('\t')
                        'u' -> {
                            if (i + 4 > s.length) fail("bad \\u escape")
                            sb.append(s.substring(i, i + 4).toInt(16).toChar()) // surrogates pair up naturally
                            i += 4
                        }
                        else -> fail("bad escape '\\$e'")
                    }
                }
                c < ' ' -> fail("control character in string")
                else -> sb.append(c)
            }
        }
    }

    private fun readNumber(): JsonNumber {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        if (start == i) fail("unexpected character '${s[start]}'")
        return JsonNumber(s.substring(start, i))
    }
}

/** `this[key]` as a JSON object. */
@Suppress("UNCHECKED_CAST")
fun Map<String, Any?>.obj(key: String): Map<String, Any?> =
    this[key] as? Map<String, Any?> ?: error("field '$key' is not an object")

/** `this[key]` as a JSON array. */
@Suppress("UNCHECKED_CAST")
fun Map<String, Any?>.list(key: String): List<Any?> = this[key] as? List<Any?> ?: error("field '$key' is not an array")

/** `this[key]` as a string. */
fun Map<String, Any?>.str(key: String): String = this[key] as? String ?: error("field '$key' is not a string")

/** `this[key]` as a number. */
fun Map<String, Any?>.num(key: String): JsonNumber = this[key] as? JsonNumber ?: error("field '$key' is not a number")
