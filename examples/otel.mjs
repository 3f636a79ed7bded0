// Registers an OpenTelemetry SDK before the gate starts, so its spans are kept and exported:
//   node --import ./examples/otel.mjs node_modules/.bin/arbiter serve
// Needs @opentelemetry/sdk-trace-base, @opentelemetry/core and @opentelemetry/context-async-hooks
// installed beside arbiter-gate. This one prints each span to standard output as it ends; to send
// them to a collector, give a BatchSpanProcessor an OTLPTraceExporter from
// @opentelemetry/exporter-trace-otlp-http instead. OTEL_SERVICE_NAME names the service.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
trace.setGlobalTracerProvider(provider);
// Carries the request's span into the decide and append spans started under it.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Reads the caller's `traceparent`, so the gate's spans join the caller's trace.
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
