package dev.reminderpush.ingest;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api-docs}: the OpenAPI document of every HTTP operation (docs/openapi.yaml in the repository, carried
 * in the jar as is). The document is written by hand, contract first; OpenApiContractTest keeps it true.
 */
@RestController
class ApiContract {

    static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private final byte[] document;

    ApiContract() throws IOException {
        try (InputStream in = new ClassPathResource("contract/openapi.yaml", ApiContract.class.getClassLoader()).getInputStream()) {
            this.document = in.readAllBytes();
        }
    }

    @GetMapping(path = "/api-docs")
    ResponseEntity<byte[]> document() {
        return ResponseEntity.ok().contentType(YAML).body(document);
    }
}
