/* Character arrays: manual strlen, reverse, atoi, compare, tokenising, snprintf into buffers. */
#include <stdio.h>
#include <string.h>
#include <ctype.h>

static int my_strlen(const char *s) {
    int n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

static void reverse(char *s) {
    int i = 0, j = my_strlen(s) - 1;
    while (i < j) {
        char t = s[i];
        s[i] = s[j];
        s[j] = t;
        i++;
        j--;
    }
}

static int my_atoi(const char *s) {
    int sign = 1, v = 0;
    while (*s == ' ')
        s++;
    if (*s == '-') {
        sign = -1;
        s++;
    } else if (*s == '+') {
        s++;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            break;
        v = v * 10 + (*s - '0');
    }
    return sign * v;
}

static int my_strcmp(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static int count_vowels(const char *s) {
    int count = 0;
    for (int i = 0; s[i]; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'u':
            count++;
            break;
        default:
            continue;
        }
    }
    return count;
}

static int tokens(const char *text, char sep) {
    char word[32];
    int len = 0, longest = 0, n = 0;
    for (const char *p = text;; p++) {
        if (*p == sep || *p == '\0') {
            word[len] = '\0';
            if (len > longest)
                longest = len;
            if (len > 0)
                n++;
            len = 0;
            if (*p == '\0')
                break;
            continue;
        }
        if (len < 31)
            word[len++] = *p;
    }
    return n * 100 + longest;
}

int main(void) {
    char buf[64];
    strcpy(buf, "metamorphic");
    reverse(buf);
    printf("%s %d\n", buf, my_strlen(buf));
    printf("%d %d %d\n", my_atoi("  -123x"), my_atoi("+42"), my_atoi("7"));
    int c1 = my_strcmp("apple", "apricot");
    int c2 = my_strcmp("same", "same");
    printf("%d %d\n", c1 < 0, c2);
    printf("%d\n", count_vowels("Distilled Models Of Code"));
    printf("%d\n", tokens("a,bb,,cccc,d", ','));
    char out[80];
    int written = snprintf(out, sizeof out, "%s-%04d-%x", "id", 42, 255);
    printf("%s %d\n", out, written);
    return my_strlen(out);
}
