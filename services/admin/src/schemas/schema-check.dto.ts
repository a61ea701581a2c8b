import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';

export class SchemaCheckDto {
  @ApiPropertyOptional({ default: 'user-events-value', description: 'the registry subject to check against' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, { message: 'expected a subject name' })
  subject?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'an Avro record schema (JSON)' })
  @IsObject()
  schema!: Record<string, unknown>;
}
