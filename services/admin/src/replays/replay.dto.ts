import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class CreateReplayDto {
  @ApiProperty({
    enum: ['batch', 'kappa'],
    description: 'a Lambda batch run or a Kappa replay (next version)',
  })
  @IsIn(['batch', 'kappa'])
  mode!: 'batch' | 'kappa';

  @ApiPropertyOptional({
    type: [String],
    description:
      "pipeline names from pipelines.yaml; default: every pipeline (or the definition's, with `pipeline`)",
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  pipelines?: string[];

  @ApiPropertyOptional({
    description:
      '"earliest" (default) or an ISO-8601 time: each partition starts at its first record at or after it',
    example: 'earliest',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'kappa only: a changed definition of one pipeline (same name), validated like pipelines.yaml — a what-if version',
  })
  @IsOptional()
  @IsObject()
  pipeline?: Record<string, unknown>;
}

export class CutoverDto {
  @ApiPropertyOptional({ description: 'records the version may still lag behind the log end (default 1000)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  maxLag?: number;
}

/** A run id as the launcher makes them: what a path parameter may hold before anything is looked up. */
export class RunIdParam {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected a run id (letters, digits, "-", "_")' })
  id!: string;
}
