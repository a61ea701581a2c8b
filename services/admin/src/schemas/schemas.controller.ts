import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CompatibilityGate,
  SchemaRegistryClient,
  type AvroRecordSchema,
  type GateVerdict,
} from '@lk/schemas';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';
import { SchemaCheckDto } from './schema-check.dto';

@ApiTags('schemas')
@Controller('schemas')
export class SchemasController {
  private readonly gate: CompatibilityGate;

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.gate = new CompatibilityGate(new SchemaRegistryClient(config.stack.schemaRegistryUrl));
  }

  @Post('check')
  @HttpCode(200)
  @ApiOperation({
    summary: "Would this schema be accepted under the subject's compatibility level? Changes nothing.",
  })
  async check(@Body() body: SchemaCheckDto): Promise<GateVerdict> {
    const { schema } = body;
    if (schema.type !== 'record' || typeof schema.name !== 'string' || !Array.isArray(schema.fields))
      throw new BadRequestException({
        message: 'schema: expected an Avro record schema ({"type": "record", "name": …, "fields": […]})',
        field: 'schema',
      });
    try {
      return await this.gate.check(
        body.subject ?? 'user-events-value',
        schema as unknown as AvroRecordSchema,
      );
    } catch (error) {
      const message = (error as Error).message;
      // the registry answers a schema it cannot parse with 4xx: that is the request's fault
      if (/\b(42\d|400)\b|parse|invalid/i.test(message))
        throw new BadRequestException({ message: `schema: ${message}`, field: 'schema' });
      throw new ServiceUnavailableException(`the schema registry cannot be asked: ${message}`);
    }
  }
}
