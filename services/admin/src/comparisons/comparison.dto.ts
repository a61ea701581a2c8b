import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ROW_CLASSES, type RowClass } from '@lk/comparisons';

export class CreateComparisonDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  pipeline!: string;

  @ApiPropertyOptional({ description: 'lambda (default), kappa, speed:v<N>, batch:<run id> or batch:latest' })
  @IsOptional()
  @IsString()
  @MaxLength(220)
  left?: string;

  @ApiPropertyOptional({ description: 'kappa (default), lambda, speed:v<N>, batch:<run id> or batch:latest' })
  @IsOptional()
  @IsString()
  @MaxLength(220)
  right?: string;
}

export class ComparisonRowsQuery {
  @ApiPropertyOptional({
    enum: ROW_CLASSES.filter((c) => c !== 'equal'),
    description: 'only rows of this class',
  })
  @IsOptional()
  @IsIn(ROW_CLASSES.filter((c) => c !== 'equal'))
  class?: Exclude<RowClass, 'equal'>;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, default: 100, description: 'rows to include' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  rows?: number;
}

export class ComparisonIdParam {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected a comparison id (letters, digits, "-", "_")' })
  id!: string;
}
